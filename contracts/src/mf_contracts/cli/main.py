"""`mf`: operator tasks for a MediaFetcher installation.

Services contribute themselves through the `mf.services` entry point group, and their
own commands (`mf gc`, `mf user create`, `mf vault rotate-key`) through `mf.commands`:
each names a `register(subparsers)` that adds a parser whose `func(args)` runs it. So
this command never imports a service package by name.
"""
from __future__ import annotations

import argparse
import asyncio
import sys
from importlib.metadata import entry_points

from ..logging import configure_logging
from ..settings import get_settings

REPLAY_HELP = """\
Recover from the event log kept in every service's outbox table (Postgres).

  republish  Redis lost its data (restarted without persistence, FLUSHDB, a new
             server). Publishes every logged event again; consumers recreate their
             groups and skip what they had already applied (inbox). Safe to repeat.
  rebuild    A service's read tables were dropped or are wrong. Truncates them and
             the service's inbox, then applies every logged event it subscribes to,
             in time order, through its own handlers. Events it emits again are
             suppressed (dedup keys). Stop that service while it runs.
"""


def load_services() -> dict:
    return {ep.name: ep.load() for ep in entry_points(group="mf.services")}


def _service(name: str):
    services = load_services()
    if name not in services:
        sys.exit(f"unknown service {name!r}; known: {', '.join(sorted(services))}")
    return services[name]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mf", description="MediaFetcher operator commands")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("services", help="list installed services")
    run = sub.add_parser("run", help="run one service in the foreground")
    run.add_argument("service")
    mig = sub.add_parser("migrate", help="apply database migrations (default: every service)")
    mig.add_argument("services", nargs="*")
    replay = sub.add_parser("replay", help="republish or rebuild from the event log",
                            description=REPLAY_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    rsub = replay.add_subparsers(dest="action", required=True)
    rp = rsub.add_parser("republish", help="publish logged events to Redis again (Redis lost data)")
    rp.add_argument("schemas", nargs="*", help="service schemas (default: every one with a log)")
    rp.add_argument("--since-seq", type=int, default=0, help="only outbox rows from this seq on")
    rb = rsub.add_parser("rebuild", help="wipe a service's projection and re-apply the log")
    rb.add_argument("service")
    for ep in sorted(entry_points(group="mf.commands"), key=lambda e: e.name):
        try:
            register = ep.load()
        except (ImportError, AttributeError) as exc:  # a broken plugin must not hide the rest
            print(f"mf: command {ep.name!r} unavailable: {exc}", file=sys.stderr)
            continue
        register(sub)
    return p


async def _migrate(names: list[str]) -> None:
    from ..service import close_runtime, open_runtime

    services = load_services()
    for name in names or sorted(services):
        rt = await open_runtime(_service(name), get_settings(), pool_size=2)
        await close_runtime(rt)
        print(f"{name}: migrated")


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    settings = get_settings()
    configure_logging(service="mf-cli", level=settings.log_level, fmt="console")
    if getattr(args, "func", None):
        args.func(args)
    elif args.command == "services":
        for name, spec in sorted(load_services().items()):
            print(f"{name}\t{spec.package}")
    elif args.command == "run":
        from ..service import run
        run(_service(args.service))
    elif args.command == "migrate":
        asyncio.run(_migrate(args.services))
    elif args.command == "replay":
        from .. import replay
        if args.action == "republish":
            counts = asyncio.run(replay.republish(settings, schemas=args.schemas or None,
                                                  since_seq=args.since_seq))
            for schema, n in counts.items():
                print(f"{schema}: {n} events republished")
        else:
            n = asyncio.run(replay.rebuild(_service(args.service), settings))
            print(f"{args.service}: {n} events applied")


if __name__ == "__main__":
    main()
