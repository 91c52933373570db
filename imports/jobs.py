"""The imports app's job kind, registered when the app is ready."""

from imports.job_params import ImportParams
from imports.services import IMPORT_KIND, import_job_work
from jobs.registry import job_kind_register

job_kind_register(name=IMPORT_KIND, params=ImportParams, work=import_job_work)
