"""Configuration as data: defaults, then environment variables, then a test's mapping."""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any, Callable

MIB = 1024 * 1024


def _bool(raw: str) -> bool:
    return raw.strip().lower() in ("1", "true", "yes", "on")


def _copies(raw: str) -> dict[str, int]:
    """`on_site=2,sampling=3,evidence=2` → {"on_site": 2, …}: copies printed per document."""
    out = {}
    for part in raw.split(","):
        key, _, count = part.partition("=")
        if key.strip():
            out[key.strip()] = max(1, int(count))
    return out


def _instant(raw: str) -> str:
    """An ISO instant with its zone, checked at start-up (a typo must not surface on every request)."""
    from .clock import parse_instant

    return parse_instant(raw).isoformat()


# (setting, environment variable, parser, default, what it is). The README's table is this list.
SETTINGS: list[tuple[str, str, Callable[[str], Any], Any, str]] = [
    ("SQLALCHEMY_DATABASE_URI", "DATABASE_URL", str, None,
     "Database URL; default: SQLite file `inspector.sqlite3` in the instance folder. "
     "PostgreSQL: `postgresql+psycopg://user@host/dbname`"),
    ("SECRET_KEY", "SECRET_KEY", str, None,
     "Signs console sessions; default: a random key kept in `instance/secret_key`"),
    ("BLOB_DIR", "INSPECTOR_BLOB_DIR", str, None, "Blob directory; default: `instance/blobs`"),
    ("BLOB_STORE", "INSPECTOR_BLOB_STORE", str, "local",
     "Where evidence bytes are kept: `local` (BLOB_DIR) or `s3` (an S3-compatible bucket, settings below; "
     "needed when several hosts serve the app)"),
    ("S3_ENDPOINT_URL", "INSPECTOR_S3_ENDPOINT_URL", str, None,
     "S3 store: the endpoint, e.g. `http://minio.internal:9000`; default: the cloud's own for the region"),
    ("S3_BUCKET", "INSPECTOR_S3_BUCKET", str, None, "S3 store: the bucket (created beforehand)"),
    ("S3_REGION", "INSPECTOR_S3_REGION", str, None, "S3 store: the region, e.g. `us-east-1` for MinIO"),
    ("S3_ACCESS_KEY_ID", "INSPECTOR_S3_ACCESS_KEY_ID", str, None,
     "S3 store: the access key; default: boto3's own lookup (AWS_* variables, instance role)"),
    ("S3_SECRET_ACCESS_KEY", "INSPECTOR_S3_SECRET_ACCESS_KEY", str, None, "S3 store: the secret key"),
    ("S3_PREFIX", "INSPECTOR_S3_PREFIX", str, "", "S3 store: a folder in the bucket for every key, e.g. `inspector/`"),
    ("S3_ADDRESSING_STYLE", "INSPECTOR_S3_ADDRESSING_STYLE", str, "path",
     "S3 store: `path` (MinIO, Ceph RGW) or `virtual` (bucket in the host name: Alibaba OSS, most clouds)"),
    ("MAX_UPLOAD_BYTES", "INSPECTOR_MAX_UPLOAD_BYTES", int, 50 * MIB, "Largest evidence file accepted"),
    ("FILING_ATTACHMENT_MAX_BYTES", "INSPECTOR_FILING_ATTACHMENT_MAX_BYTES", int, 20 * MIB,
     "Largest photo or recording attached to a complaint or report"),
    ("MAX_IMAGE_PIXELS", "INSPECTOR_MAX_IMAGE_PIXELS", int, 80_000_000, "Decompression-bomb limit (pixels)"),
    ("EXPORT_STREAM_MAX_CASES", "INSPECTOR_EXPORT_STREAM_MAX_CASES", int, 200,
     "Console XLSX and ZIP exports of more cases are written by a job (progress page, file offered when ready)"),
    ("UPLOAD_EXPIRY_HOURS", "INSPECTOR_UPLOAD_EXPIRY_HOURS", int, 7 * 24, "Unfinished uploads expire after"),
    ("DEVICE_TOKEN_DAYS", "INSPECTOR_DEVICE_TOKEN_DAYS", int, 90,
     "Lifetime of a phone's login; the app works offline for this long"),
    ("SYNC_LOCK_TIMEOUT_MS", "INSPECTOR_SYNC_LOCK_TIMEOUT_MS", int, 10_000,
     "PostgreSQL: how long a push waits for a lock before answering 503 (the phone retries)"),
    ("SESSION_HOURS", "INSPECTOR_SESSION_HOURS", int, 12, "Console session lifetime"),
    ("LOGIN_MAX_FAILURES", "INSPECTOR_LOGIN_MAX_FAILURES", int, 5,
     "Failed logins per account within the window before it is locked"),
    ("LOGIN_MAX_FAILURES_PER_ADDRESS", "INSPECTOR_LOGIN_MAX_FAILURES_PER_ADDRESS", int, 30,
     "Failed logins per client address within the window"),
    ("LOGIN_WINDOW_MINUTES", "INSPECTOR_LOGIN_WINDOW_MINUTES", int, 15, "Window and lock time for login limits"),
    ("OPEN_DAY_BOOKINGS_PER_PHONE", "INSPECTOR_OPEN_DAY_BOOKINGS_PER_PHONE", int, 2,
     "Open days: bookings one phone number may hold for one open day"),
    ("OPEN_DAY_BOOKINGS_PER_PHONE_PER_DAY", "INSPECTOR_OPEN_DAY_BOOKINGS_PER_PHONE_PER_DAY", int, 3,
     "Open days: bookings one phone number may make in one day (all open days)"),
    ("OPEN_DAY_BOOKINGS_PER_BROWSER_PER_DAY", "INSPECTOR_OPEN_DAY_BOOKINGS_PER_BROWSER_PER_DAY", int, 5,
     "Open days: bookings one browser may make in one day"),
    ("OPEN_DAY_BOOKINGS_PER_ADDRESS_PER_DAY", "INSPECTOR_OPEN_DAY_BOOKINGS_PER_ADDRESS_PER_DAY", int, 200,
     "Open days: a backstop per client address and day, high because farmers share networks"),
    ("OPEN_DAY_LOOKUP_FAILURES", "INSPECTOR_OPEN_DAY_LOOKUP_FAILURES", int, 5,
     "Open days: failed result lookups per browser, and per booking number, within the window"),
    ("OPEN_DAY_LOOKUP_WINDOW_MINUTES", "INSPECTOR_OPEN_DAY_LOOKUP_WINDOW_MINUTES", int, 15,
     "Open days: window and lock time of the lookup limit"),
    ("OPEN_DAY_RESULT_WORKING_DAYS", "INSPECTOR_OPEN_DAY_RESULT_WORKING_DAYS", int, 5,
     "Open days: result due this many working days after the sample is received (OPEN-R3)"),
    ("PORT", "PORT", int, 5000, "Port scripts/run-demo serves on; the default public base URL names it"),
    ("PUBLIC_BASE_URL", "INSPECTOR_PUBLIC_BASE_URL", str, None,
     "Base URL printed in the PDF's verification QR codes; default: `http://127.0.0.1:<PORT>`"),
    ("PDF_CACHE_DIR", "INSPECTOR_PDF_CACHE_DIR", str, None,
     "Cache of issued PDFs and print-size photos; default: `instance/cache` (safe to delete)"),
    ("CJK_FONT_PATH", "INSPECTOR_CJK_FONT_PATH", str, None,
     "TrueType CJK font for PDFs; default: AR PL UMing from fonts-arphic-uming"),
    ("SESSION_COOKIE_SECURE", "INSPECTOR_SECURE_COOKIES", _bool, False,
     "Send the console cookie over HTTPS only (set in production)"),
    ("PROXY_COUNT", "INSPECTOR_PROXY_COUNT", int, 0,
     "Reverse proxies in front of the app (nginx: 1); their X-Forwarded-For gives the client address"),
    ("PASSWORD_HASH_MEMORY_KIB", "INSPECTOR_PASSWORD_HASH_MEMORY_KIB", int, 65536, "Argon2id memory cost"),
    ("PASSWORD_HASH_TIME_COST", "INSPECTOR_PASSWORD_HASH_TIME_COST", int, 3, "Argon2id passes"),
    ("AUDIT_SIGNING_KEY", "INSPECTOR_AUDIT_SIGNING_KEY", str, None,
     "Ed25519 key that signs audit checkpoints (PEM, or base64 of the 32-byte private key); "
     "default: the key file below"),
    ("AUDIT_SIGNING_KEY_FILE", "INSPECTOR_AUDIT_SIGNING_KEY_FILE", str, None,
     "Key file used when no key is set; default: `instance/audit-signing-key`, created on first use (mode 0600)"),
    ("AUDIT_CHECKPOINT_FILE", "INSPECTOR_AUDIT_CHECKPOINT_FILE", str, None,
     "Append-only copy of every signed checkpoint; default: `instance/audit-checkpoints.jsonl`"),
    ("AUDIT_CHECKPOINT_MINUTES", "INSPECTOR_AUDIT_CHECKPOINT_MINUTES", int, 10,
     "An audit event signs a new checkpoint when the last one is older than this"),
    ("BROKER_URL", "INSPECTOR_BROKER_URL", str, None,
     "Background jobs' broker (Celery); default: `sqla+sqlite:///instance/jobs.sqlite3`. "
     "Production: `redis://host:6379/0`"),
    ("JOB_VISIBILITY_TIMEOUT", "INSPECTOR_JOB_VISIBILITY_TIMEOUT", int, 3600,
     "Redis: seconds before a job a worker took but never finished is handed to another worker; "
     "keep it above the longest job"),
    ("JOB_STALL_SECONDS", "INSPECTOR_JOB_STALL_SECONDS", int, 900,
     "A photo check or an export whose job has shown no sign of life for this long is sent again "
     "(its message was lost: a worker killed outright on the embedded broker, or a broker down when "
     "it was sent); keep it above the longest photo check"),
    ("JOB_MAX_RETRIES", "INSPECTOR_JOB_MAX_RETRIES", int, 3,
     "Retries of a failing job before it is listed for admins"),
    ("JOB_RETRY_DELAY_SECONDS", "INSPECTOR_JOB_RETRY_DELAY_SECONDS", int, 60, "Wait before each retry"),
    ("DOCUMENT_COPIES", "INSPECTOR_DOCUMENT_COPIES", _copies, {"on_site": 2, "sampling": 3, "evidence": 2},
     "The 一式N份 line of each 文书, as `on_site=2,sampling=3,evidence=2` (现场笔录: party and file; "
     "抽样记录: party, laboratory and file; 证据提取单: party and file)"),
    ("PHOTO_MAX_HOURS_FROM_INSPECTION", "INSPECTOR_PHOTO_MAX_HOURS_FROM_INSPECTION", float, 12,
     "A photo taken further than this from the inspection's time is flagged: the phone asks why, "
     "approval asks for confirmation, the case file prints the reason"),
    ("PHOTO_MAX_METRES_FROM_INSPECTION", "INSPECTOR_PHOTO_MAX_METRES_FROM_INSPECTION", float, 1000,
     "The same for a photo taken further than this from the inspection's place (metres)"),
    ("INSPECTOR_CLOCK", "INSPECTOR_CLOCK", _instant, None,
     "Demos and tests: the server's clock stands at this ISO instant (e.g. `2026-09-30T07:30:00+08:00`) "
     "for deadlines and today's date; default: the real time"),
    ("TASK_URGENT_DELIVERY_HOURS", "INSPECTOR_TASK_URGENT_DELIVERY_HOURS", float, 2,
     "An urgent task no assigned phone has pulled within this many hours alerts its county"),
    ("CASE_CLOCK_RULES", "INSPECTOR_CASE_CLOCK_RULES", json.loads, {},
     "Case clocks: the limits of next-capabilities §4.2 as a JSON object of rule id → {n, extension} "
     "(e.g. `{\"CASE-8\": {\"n\": 90, \"extension\": 30}}`; services/case_clocks RULES)"),
    ("COMPLAINT_RULES", "INSPECTOR_COMPLAINT_RULES", json.loads, {},
     "Complaints register: the rule values the law texts at hand do not confirm, as a JSON object "
     "(keys in services/complaints/rules.py SETTINGS, e.g. `{\"V121_DECISION_NOTICE_WD\": 5}`)"),
    ("LAB_RULES", "INSPECTOR_LAB_RULES", json.loads, {},
     "Lab results: the periods the reference could not confirm, as a JSON object (keys in "
     "services/labs/rules.py SETTINGS, e.g. `{\"C_LAB\": 30}`)"),
    ("REPORT_EXPOSURE_DUE_DAYS", "INSPECTOR_REPORT_EXPOSURE_DUE_DAYS", int, 0,
     "Reporting upward: a 3·15 exposure's 专报 is due this many calendar days after the exposure (0: the same day)"),
]


def build_config(instance_path: str, test_config: dict[str, Any] | None) -> dict[str, Any]:
    """The app's settings: defaults overridden by the environment, then by `test_config`."""
    config: dict[str, Any] = {name: default for name, _env, _parse, default, _doc in SETTINGS}
    for name, env, parse, _default, _doc in SETTINGS:
        if env in os.environ and os.environ[env] != "":
            config[name] = parse(os.environ[env])
    config.update(test_config or {})

    instance = Path(instance_path)
    if not config["SQLALCHEMY_DATABASE_URI"]:
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'inspector.sqlite3'}"
    config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["SQLALCHEMY_DATABASE_URI"])
    if not config["BROKER_URL"]:
        # A file of its own: the worker's polling never waits on the main database's write lock.
        config["BROKER_URL"] = f"sqla+sqlite:///{instance / 'jobs.sqlite3'}"
    if not config["PUBLIC_BASE_URL"]:
        # A demo on another port must print QR codes that reach it, not the default port.
        config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{config['PORT']}"
    if not config["BLOB_DIR"]:
        config["BLOB_DIR"] = str(instance / "blobs")
    if not config["AUDIT_SIGNING_KEY_FILE"]:
        config["AUDIT_SIGNING_KEY_FILE"] = str(instance / "audit-signing-key")
    if not config["AUDIT_CHECKPOINT_FILE"]:
        config["AUDIT_CHECKPOINT_FILE"] = str(instance / "audit-checkpoints.jsonl")
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _instance_secret(instance)
    config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    config.setdefault("SESSION_COOKIE_NAME", "inspector_session")
    config["PERMANENT_SESSION_LIFETIME"] = config["SESSION_HOURS"] * 3600
    config["MAX_CONTENT_LENGTH"] = config["MAX_UPLOAD_BYTES"] + MIB
    config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # the token lives as long as the session
    return config


def normalise_database_url(url: str) -> str:
    """Accept `postgres://` and `postgresql://` and use the psycopg 3 driver for both."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _instance_secret(instance: Path) -> str:
    """A random key created once per instance folder, so sessions survive restarts."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        tmp = instance / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
        tmp.write_text(secrets.token_hex(32))
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)  # atomic: when workers start together, the first key wins for all
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()
