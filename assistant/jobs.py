"""The assistant's job kinds (answers and summaries), registered when the app is ready.

Both run on the generic ``jobs.run`` task like every other kind, so the assistant adds no
Celery task of its own.
"""

from assistant.job_params import ANSWER_KIND, SUMMARY_KIND, AnswerParams, SummaryParams
from assistant.services import message_answer_work
from assistant.summaries import summary_job_work
from jobs.registry import job_kind_register

job_kind_register(name=ANSWER_KIND, params=AnswerParams, work=message_answer_work)
job_kind_register(name=SUMMARY_KIND, params=SummaryParams, work=summary_job_work)
