"""Server actions by family: each module exports SPECS, and these helpers start an action.

A Spec names the body key, its policy rule, the schema of its value and the
state-table row it is checked against; ``act`` carries it out and returns a
response, or None for Nova's plain 202.
"""
import dataclasses
import typing

from common import exception
from compute import states
# Aliased: the family module api.handlers.actions.images would shadow a plain `images`.
from db import images as images_db
from db import instances


@dataclasses.dataclass
class Spec:
    name: str
    rule: str
    # The body's JSON schema, or a callable(microversion) -> schema.
    schema: typing.Union[dict, typing.Callable]
    act: typing.Callable
    # states.ACTIONS key, or a callable(args) -> key (reboot SOFT/HARD); default: name.
    row: typing.Union[str, typing.Callable, None] = None
    # The instance action's name as Nova records it (None: not recorded).
    record: typing.Optional[str] = ''
    min_version: tuple = (2, 1)
    max_version: typing.Optional[tuple] = None
    # callable(req, deps, instance, args) -> args: checks that need the request or the
    # database, run before anything is recorded, so a refused request leaves no trace.
    prepare: typing.Optional[typing.Callable] = None

    def schema_for(self, version):
        return self.schema(version) if callable(self.schema) else self.schema

    def row_for(self, args):
        key = self.row(args) if callable(self.row) else (self.row or self.name)
        return states.ACTIONS[key]

    @property
    def action_name(self):
        return self.name if self.record == '' else self.record


NULL = {'type': 'null'}
# An action without arguments: Nova takes {"pause": null} and {"pause": {}} alike, and
# clients send either (tempest sends {} for several), so the value is not inspected.
NO_ARGS = {'type': ['null', 'object']}


def begin(deps, instance, row, values=None):
    """Move ``instance`` into the row's transient task_state with a compare-and-swap
    against what the API just checked; 409 when another request got there first."""
    updates = {'task_state': row.task_state, **(values or {})}
    try:
        return instances.update(deps.db, instance['uuid'], updates,
                                expected_task_state=instance['task_state'],
                                expected_vm_state=instance['vm_state'])
    except exception.UnexpectedTaskState as exc:
        raise exception.Conflict(
            f'Cannot \'{row.name}\' instance {instance["uuid"]}: it changed state '
            f'meanwhile ({exception.summary(exc)})') from exc


def image_of(deps, instance):
    """The instance's image as the compute wants it, or None when it is gone (a hard
    reboot with intact disks does not need it)."""
    return images_db.of_instance(deps.db, instance)


def system_metadata(instance, **changes):
    """The instance's system_metadata with ``changes`` (None values removed)."""
    meta = dict(instance.get('system_metadata') or {})
    meta.update(changes)
    return {k: v for k, v in meta.items() if v is not None}
