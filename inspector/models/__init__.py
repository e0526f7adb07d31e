"""All models, imported here so that metadata (and Alembic) sees every table."""
from __future__ import annotations

from .account import ROLES, Device, LoginAttempt, User
from .agency import LEVELS, Agency
from .audit import AuditCheckpoint, AuditEvent, AuditHead
from .calendar import DAY_KINDS, CalendarDay, CalendarYear
from .case_number import CaseNumberCounter
from .complaint import (
    CHANNELS, FILING_KINDS, NOTICE_METHODS, PRODUCT_CATEGORIES, RULE_VERSIONS,
    Filing, FilingAttachment, FilingPause, FilingPerson, FilingTransition,
)
from .document import IssuedDocument
from .evidence import Blob, BlobHolder, Photo
from .export import ExportRun
from .intake import ImportMapping, Reminder
from .job import FailedJob
from .open_day import VERDICTS as OPEN_DAY_VERDICTS
from .open_day import BOOKING_STATUSES, OpenDay, OpenDayBooking, OpenDayLookupFailure, OpenDaySample, OpenDaySlot
from .lab import VERDICTS as LAB_VERDICTS
from .lab import (
    CHECK_TYPES, CONCLUSIONS, SAMPLE_LAB_STATUSES, LabReport, LabResultItem, LabRetest, LabStep,
    LabSubmission, SampleLab,
)
from .inspection import (
    INSPECTION_STATUSES, SIGNATURE_ROLES, SIGNATURE_STATUSES,
    Campaign, Finding, Inspection, InspectionInspector, Sample, Signature,
)
from .party import Party
from .plan import DRAW_KINDS, PLAN_STATUSES, RESULT_CODES, InspectionPlan, PlanDraw, PlanTarget
from .report import REPORT_KINDS, REPORT_STATUSES, ReportDeadline, UpwardReport
from .rectification import (
    CLOCK_STATUSES, DECISION_KINDS, FILING_OUTCOMES, PARTY_SIGNATURES, PAUSE_KINDS, RECHECK_OUTCOMES,
    ORDER_SIGNER_ROLES, RECTIFICATION_MODES, RECTIFICATION_STATUSES, SERVICE_METHODS, CaseClock, CaseClockPause,
    RectificationOrder, RectificationSignature,
)
from .review import DECISIONS, ReviewDecision
from .sync import SyncState, Versioned
from .task import TASK_SOURCES, TASK_STATUSES, Task, TaskAssignee
from .sync_log import Conflict, InspectionRevision, MutationLog, ScopeExit
from .template import CATEGORIES, ITEM_KINDS, TEMPLATE_STATUSES, ChecklistTemplate, PublishedTemplateChanged
from .upload import UPLOAD_STATUSES, Upload, UploadPart
from . import pull_indexes  # noqa: F401,E402  (declares the pull's indexes on the tables above)

__all__ = [
    "CaseNumberCounter", "ORDER_SIGNER_ROLES", "RectificationSignature", "ROLES", "Device", "LoginAttempt", "User", "LEVELS", "Agency", "AuditCheckpoint", "AuditEvent", "AuditHead",
    "IssuedDocument", "FailedJob", "Blob", "BlobHolder", "Photo", "INSPECTION_STATUSES", "SIGNATURE_ROLES", "SIGNATURE_STATUSES",
    "Campaign", "Finding", "Inspection", "InspectionInspector", "Sample", "Signature", "Party",
    "DECISIONS", "ReviewDecision", "SyncState", "Versioned", "CATEGORIES", "ITEM_KINDS",
    "TEMPLATE_STATUSES", "ChecklistTemplate", "PublishedTemplateChanged", "UPLOAD_STATUSES", "Upload", "UploadPart",
    "Conflict", "InspectionRevision", "MutationLog", "ScopeExit",
    "CHANNELS", "FILING_KINDS", "NOTICE_METHODS", "PRODUCT_CATEGORIES", "RULE_VERSIONS",
    "Filing", "FilingAttachment", "FilingPause", "FilingPerson", "FilingTransition",
    "DAY_KINDS", "CalendarDay", "CalendarYear",
    "TASK_SOURCES", "TASK_STATUSES", "Task", "TaskAssignee",
    "CLOCK_STATUSES", "DECISION_KINDS", "FILING_OUTCOMES", "PARTY_SIGNATURES", "PAUSE_KINDS", "RECHECK_OUTCOMES",
    "RECTIFICATION_MODES", "RECTIFICATION_STATUSES", "SERVICE_METHODS", "CaseClock", "CaseClockPause",
    "RectificationOrder",
    "ImportMapping", "Reminder",
    "DRAW_KINDS", "PLAN_STATUSES", "RESULT_CODES", "InspectionPlan", "PlanDraw", "PlanTarget",
    "REPORT_KINDS", "REPORT_STATUSES", "ReportDeadline", "UpwardReport",
    "BOOKING_STATUSES", "OPEN_DAY_VERDICTS", "OpenDay", "OpenDayBooking", "OpenDayLookupFailure", "OpenDaySample", "OpenDaySlot",
    "CHECK_TYPES", "CONCLUSIONS", "SAMPLE_LAB_STATUSES", "LAB_VERDICTS", "LabReport", "LabResultItem", "LabRetest",
    "LabStep", "LabSubmission", "SampleLab",
]
