"""Command-line tasks (`flask --app inspector …`): thin click wrappers over service functions."""
from __future__ import annotations

import json
import sys

import click
from flask import Flask
from sqlalchemy import select

from .database import db
from .errors import ApiError
from .models import ROLES


def _read_template(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            body = json.load(handle)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise click.ClickException(f"{path} is not a readable JSON file: {err}") from err
    if not isinstance(body, dict):
        raise click.ClickException(f"{path} must hold one JSON object")
    return body


def _statutes(folder: str) -> dict:
    from .services.citations import load_statutes

    try:
        return load_statutes(folder)
    except (OSError, UnicodeDecodeError) as err:
        raise click.ClickException(str(err)) from err


def register_cli(app: Flask) -> None:
    @app.cli.command("init-db")
    def init_db() -> None:
        """Create or upgrade the schema (Alembic) and load the reference data."""
        from . import migrate
        from .services.reference import load_reference_data

        migrate.upgrade()
        added = load_reference_data()
        click.echo(f"Database ready ({db.engine.dialect.name}): {added['agencies']} agencies and "
                   f"{added['templates']} checklist templates added.")

    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Load the demo people, parties and cases (after init-db)."""
        from .services.demo import DEMO_USERS, seed_demo as seed

        result = seed()
        click.echo("Demo data created." if result["created"] else "Demo data was already there.")
        click.echo(f"Every demo account's password is: {result['password']}")
        for username, name, role, code, _cert in DEMO_USERS:
            click.echo(f"  {username:18} {role:9} {code}  {name}")

    @app.cli.command("create-user")
    @click.option("--username", required=True)
    @click.option("--name", "display_name", required=True)
    @click.option("--role", type=click.Choice(ROLES), required=True)
    @click.option("--agency", "agency_code", required=True, help="GB/T 2260 code, e.g. 150122")
    @click.option("--cert-no", default=None, help="执法证号 (required for inspectors)")
    @click.password_option()
    def create_user(username, display_name, role, agency_code, cert_no, password) -> None:
        """Create an account."""
        from .services.users import create_user as create

        try:
            user = create(username=username, display_name=display_name, role=role, agency_code=agency_code,
                          password=password, cert_no=cert_no)
        except ApiError as err:
            raise click.ClickException(err.message) from err
        click.echo(f"Created {user.role} {user.username} in {user.agency.name}.")

    @app.cli.command("export-template")
    @click.argument("key")
    @click.option("--version", "version", type=int, default=None, help="default: the newest")
    @click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-")
    def export_template(key, version, output) -> None:
        """Write a checklist template as JSON."""
        from .models import ChecklistTemplate
        from .services.templates import export_template as export

        stmt = select(ChecklistTemplate).where(ChecklistTemplate.key == key)
        if version is not None:
            stmt = stmt.where(ChecklistTemplate.template_version == version)
        template = db.session.scalars(stmt.order_by(ChecklistTemplate.template_version.desc())).first()
        if template is None:
            raise click.ClickException(f"No checklist template {key}" + (f" version {version}" if version else ""))
        json.dump(export(template), output, ensure_ascii=False, indent=2)
        output.write("\n")

    @app.cli.command("import-template")
    @click.argument("path", type=click.File("r", encoding="utf-8"))
    @click.option("--publish", is_flag=True, help="publish it at once")
    @click.option("--statutes", type=click.Path(exists=True, file_okay=False), default=None,
                  help="folder of statute texts: check the citations against them and quote the clauses")
    def import_template(path, publish, statutes) -> None:
        """Import a checklist template JSON file as the next version of its key."""
        from .services.templates import import_template as load

        try:
            body = json.load(path)
        except json.JSONDecodeError as err:
            raise click.ClickException(f"{path.name} is not valid JSON: {err}") from err
        if not isinstance(body, dict):
            raise click.ClickException(f"{path.name} must hold one JSON object")
        try:
            template = load(body, publish=publish, statutes=_statutes(statutes) if statutes else None)
        except ApiError as err:
            problems = err.details.get("problems", []) if isinstance(err.details, dict) else []
            raise click.ClickException("\n".join([err.message, *("  - " + p for p in problems)])) from err
        click.echo(f"Imported {template.key} version {template.template_version} ({template.status}).")

    @app.cli.command("check-citations")
    @click.option("--statutes", type=click.Path(exists=True, file_okay=False), required=True,
                  help="folder of statute texts, one `<title>(<version date>).md` file each")
    @click.option("--template", "paths", multiple=True, type=click.Path(exists=True, dir_okay=False),
                  help="template JSON file(s) to check (default: the shipped checklists)")
    def check_citations(statutes, paths) -> None:
        """Check every checklist citation against the statute texts; non-zero exit on an error."""
        from . import refdata
        from .services import citations

        bodies = [_read_template(p) for p in paths] if paths else refdata.load_templates()
        texts = _statutes(statutes)
        results = [r for body in bodies for r in citations.check_template(body, texts)]
        for result in results:
            click.echo(result.line())
        counts = citations.summary(results)
        click.echo(f"{len(results)} citations: " + ", ".join(f"{counts[s]} {s}" for s in citations.STATUSES))
        problems = sum(counts[s] for s in citations.PROBLEMS)
        if problems:
            click.echo(f"{problems} citation problems.", err=True)
            sys.exit(1)
        click.echo("0 problems.")

    @app.cli.command("verify-audit")
    def verify_audit() -> None:
        """Walk the audit hash chain and hold it against the signed checkpoints and issued documents."""
        from .services.audit.anchors import verify_audit as verify

        report = verify()
        for note in report.notes:
            click.echo(f"Note: {note}")
        if not report.chain.ok:
            click.echo(f"Audit chain BROKEN at event {report.chain.broken_at}: {report.chain.problem}", err=True)
        if report.problems:
            click.echo("Audit chain does not match what was signed outside the database:", err=True)
            for problem in report.problems:
                click.echo(f"  - {problem}", err=True)
        if not report.ok:
            sys.exit(1)
        click.echo(f"Audit chain intact: {report.events} events, {report.checkpoints} signed checkpoints.")
        last = report.last_checkpoint
        if last is None:
            click.echo("No checkpoint yet: nothing outside the database vouches for the chain.")
        elif last.seq < report.events:
            click.echo(f"Events {last.seq + 1}–{report.events} come after the last checkpoint "
                       f"({last.at.isoformat()}) and are not yet anchored.")

    @app.cli.command("audit-checkpoint")
    def audit_checkpoint() -> None:
        """Sign the audit chain's head now (run from cron, e.g. every 10 minutes)."""
        from .services.audit import make_checkpoint

        try:
            row = make_checkpoint()
        except (OSError, ValueError) as err:
            raise click.ClickException(f"No checkpoint signed: {err}") from err
        seq, head_hash, key = row.seq, row.hash, row.key_id
        db.session.commit()
        click.echo(f"Signed checkpoint of event {seq} (head {head_hash[:16]}…) with key {key}.")

    @app.cli.command("expire-uploads")
    def expire_uploads() -> None:
        """Delete the partial bytes of unfinished uploads past their expiry."""
        from .services.evidence import expire_all_uploads

        total = expire_all_uploads()
        click.echo(f"Expired {total} unfinished uploads.")

    @app.cli.command("forget-open-day-contacts")
    @click.option("--days", type=click.IntRange(min=0), default=180, show_default=True,
                  help="keep farmers' names and phones this long after their open day ended")
    def forget_open_day_contacts(days) -> None:
        """Erase the names and phones of open-day bookings whose open day ended long enough ago."""
        from .services.open_days import forget_contacts

        click.echo(f"Erased the name and phone of {forget_contacts(days)} open-day bookings.")

    @app.cli.command("process-photos")
    def process_photos_command() -> None:
        """Decode pending uploads in full and make their sizes now, as the job does (no worker running)."""
        from sqlalchemy import select

        from .database import db
        from .models import Blob
        from .services.evidence import process_photo

        pending = db.session.scalars(select(Blob.sha256).where(Blob.processing == "pending")).all()
        for sha256 in pending:
            click.echo(f"{sha256}: {process_photo(sha256)}")

    @app.cli.command("prepare-case-file")
    @click.argument("inspection_ids", nargs=-1, required=True)
    def prepare_case_file_command(inspection_ids) -> None:
        """Draw case files now, as the job does (no worker running, or a cache emptied by hand)."""
        from .services.case_file import prepare_case_file

        for inspection_id in inspection_ids:
            drawn = prepare_case_file(inspection_id)
            click.echo(f"{inspection_id}: {'drawn' if drawn else 'ready already, or nothing to draw'}")

    @app.cli.command("prune-sync")
    @click.option("--days", type=click.IntRange(min=1), default=180, show_default=True,
                  help="keep what a phone offline this long still needs")
    def prune_sync(days) -> None:
        """Forget scope-exit records older than the longest offline trip."""
        from datetime import timedelta

        from .database import utcnow
        from .services.sync.pull import prune_scope_exits

        removed = prune_scope_exits(utcnow() - timedelta(days=days))
        click.echo(f"Removed {removed} scope-exit records older than {days} days.")

    @app.cli.command("deadline")
    @click.argument("start")
    @click.argument("n", type=click.IntRange(min=0, max=3660))
    @click.option("--natural", is_flag=True, help="natural days (日) instead of working days (工作日)")
    @click.option("--pause", "pauses", multiple=True, metavar="FIRST..LAST",
                  help="days not counted, both included (repeatable), e.g. 2026-06-01..2026-06-09")
    def deadline(start, n, natural, pauses) -> None:
        """Due date of an N-day period from START (a date, or `today` by the clock), on the calendar."""
        from datetime import date

        from . import clock
        from .services.calendar import natural_days_after, working_days_after

        try:
            first = clock.today_cn() if start == "today" else date.fromisoformat(start)
            spans = [tuple(date.fromisoformat(part) for part in p.split("..", 1)) for p in pauses]
            due = (natural_days_after if natural else working_days_after)(first, n, spans)
        except ValueError as err:
            raise click.ClickException(str(err)) from err
        unit = "日" if natural else "个工作日"
        line = f"{first.isoformat()} + {n}{unit} → {due.date.isoformat()}"
        if natural and due.raw != due.date:
            line += f" ({due.raw.isoformat()} 为休息日，顺延)"
        click.echo(line + (" 暂定 (provisional: a year without a loaded notice)" if due.provisional else ""))

    @app.cli.command("clock")
    def show_clock() -> None:
        """The server's clock (INSPECTOR_CLOCK when set) and today's date in Beijing."""
        from . import clock

        source = "INSPECTOR_CLOCK" if app.config.get("INSPECTOR_CLOCK") else "real time"
        click.echo(f"{clock.now().isoformat()} ({source}); today in Beijing: {clock.today_cn().isoformat()}")

    @app.cli.command("calendar-seed")
    def calendar_seed() -> None:
        """Load the years the installed chinesecalendar covers that are not loaded yet (never
        replacing a year an admin entered), e.g. after upgrading the pinned package."""
        from .services.calendar.notices import load_package_years

        added = load_package_years()
        click.echo(f"Loaded {len(added)} years from chinesecalendar: {', '.join(map(str, added)) or 'none new'}.")

    @app.cli.command("db-revision")
    @click.option("-m", "--message", required=True)
    def db_revision(message) -> None:
        """Autogenerate a migration from model changes (for developers)."""
        from . import migrate

        migrate.make_revision(message)
