"""Command-line tasks (`flask --app inspector …`): thin click wrappers over service functions."""
from __future__ import annotations

import json
import sys

import click
from flask import Flask
from sqlalchemy import select

from .database import db
from .errors import ApiError


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
    @click.option("--role", type=click.Choice(["inspector", "reviewer", "admin"]), required=True)
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
    def import_template(path, publish) -> None:
        """Import a checklist template JSON file as the next version of its key."""
        from .services.templates import import_template as load

        try:
            body = json.load(path)
        except json.JSONDecodeError as err:
            raise click.ClickException(f"{path.name} is not valid JSON: {err}") from err
        if not isinstance(body, dict):
            raise click.ClickException(f"{path.name} must hold one JSON object")
        try:
            template = load(body, publish=publish)
        except ApiError as err:
            problems = err.details.get("problems", []) if isinstance(err.details, dict) else []
            raise click.ClickException("\n".join([err.message, *("  - " + p for p in problems)])) from err
        click.echo(f"Imported {template.key} version {template.template_version} ({template.status}).")

    @app.cli.command("verify-audit")
    def verify_audit() -> None:
        """Walk the audit hash chain and report the first broken link."""
        from .services.audit import verify_chain

        report = verify_chain()
        if report.ok:
            click.echo(f"Audit chain intact: {report.events} events.")
            return
        click.echo(f"Audit chain BROKEN at event {report.broken_at}: {report.problem}", err=True)
        sys.exit(1)

    @app.cli.command("expire-uploads")
    def expire_uploads() -> None:
        """Delete the partial bytes of unfinished uploads past their expiry."""
        from .services.evidence import expire_all_uploads

        total = expire_all_uploads()
        click.echo(f"Expired {total} unfinished uploads.")

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

    @app.cli.command("db-revision")
    @click.option("-m", "--message", required=True)
    def db_revision(message) -> None:
        """Autogenerate a migration from model changes (for developers)."""
        from . import migrate

        migrate.make_revision(message)
