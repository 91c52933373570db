"""The inventory app's job kind, registered when the app is ready."""

from inventory.job_params import InventoryPlanParams
from inventory.services import PLAN_KIND, inventory_chunks_help, inventory_plan_work
from jobs.registry import job_kind_register

job_kind_register(
    name=PLAN_KIND,
    params=InventoryPlanParams,
    work=inventory_plan_work,
    helper=inventory_chunks_help,
)
