"""Command line: thin click commands that call services, registered on the Flask CLI.

`flask --app quiz <command>` and the `thiduaso <command>` console script are the same thing.
"""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from . import accounts, attempts, awards, bank, demo, export, maintenance, purge, quizzes, rosters, units


def register_cli(app: Flask) -> None:
    for command in (
        accounts.organizer,
        units.units,
        rosters.rosters,
        bank.bank,
        quizzes.quizzes,
        demo.demo,
        export.export,
        attempts.finalize_expired,
        maintenance.backup,
        purge.purge,
        awards.awards,
        awards.certificates,
    ):
        app.cli.add_command(command)


@click.group(cls=FlaskGroup, create_app=lambda: __import__("quiz").create_app())
def main() -> None:
    """Thi Đua Số — quản trị từ dòng lệnh."""
