"""SQLAlchemy 2 models: the whole schema of Stratus's one database."""
import datetime

import sqlalchemy as sa
from sqlalchemy import orm


class Base(orm.DeclarativeBase):
    pass


def _now():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class Timestamps:
    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(sa.DateTime, default=_now)
    updated_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        sa.DateTime, onupdate=_now)


class Instance(Timestamps, Base):
    __tablename__ = 'instances'
    __table_args__ = (sa.Index('ix_instances_project_deleted', 'project_id', 'deleted'),
                      sa.Index('ix_instances_host_deleted', 'host', 'deleted'))

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    uuid: orm.Mapped[str] = orm.mapped_column(sa.String(36), unique=True)
    display_name: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    project_id: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    user_id: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    image_ref: orm.Mapped[str | None] = orm.mapped_column(sa.String(36))
    flavor_id: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    flavor: orm.Mapped[dict] = orm.mapped_column(sa.JSON)
    memory_mb: orm.Mapped[int] = orm.mapped_column(default=0)
    vcpus: orm.Mapped[int] = orm.mapped_column(default=0)
    root_gb: orm.Mapped[int] = orm.mapped_column(default=0)
    ephemeral_gb: orm.Mapped[int] = orm.mapped_column(default=0)
    vm_state: orm.Mapped[str] = orm.mapped_column(sa.String(32))
    task_state: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    power_state: orm.Mapped[int] = orm.mapped_column(default=0)
    host: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    node: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    availability_zone: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    locked: orm.Mapped[bool] = orm.mapped_column(default=False)
    locked_by: orm.Mapped[str | None] = orm.mapped_column(sa.String(16))
    locked_reason: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    key_name: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    # The public key as it was at boot: deleting the keypair later must not change it.
    key_data: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    display_description: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    access_ip_v4: orm.Mapped[str | None] = orm.mapped_column(sa.String(39))
    access_ip_v6: orm.Mapped[str | None] = orm.mapped_column(sa.String(39))
    instance_metadata: orm.Mapped[dict] = orm.mapped_column('metadata', sa.JSON, default=dict)
    # Internal notes of multi-step actions (shelved_image_id, old_vm_state); never shown.
    system_metadata: orm.Mapped[dict | None] = orm.mapped_column(sa.JSON, default=dict)
    reservation_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    launch_index: orm.Mapped[int] = orm.mapped_column(default=0)
    launched_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(sa.DateTime)
    terminated_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(sa.DateTime)
    task_deadline: orm.Mapped[datetime.datetime | None] = orm.mapped_column(sa.DateTime)
    deleted_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(sa.DateTime)
    deleted: orm.Mapped[int] = orm.mapped_column(default=0)


class InstanceFault(Base):
    __tablename__ = 'instance_faults'

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    instance_uuid: orm.Mapped[str] = orm.mapped_column(sa.String(36), index=True)
    code: orm.Mapped[int] = orm.mapped_column(default=500)
    message: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    details: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    host: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(sa.DateTime, default=_now)


class InstanceAction(Base):
    __tablename__ = 'instance_actions'
    __table_args__ = (sa.Index('ix_instance_actions_uuid_request', 'instance_uuid',
                               'request_id'),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    action: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    instance_uuid: orm.Mapped[str] = orm.mapped_column(sa.String(36))
    request_id: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    user_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    project_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    start_time: orm.Mapped[datetime.datetime] = orm.mapped_column(sa.DateTime, default=_now)
    finish_time: orm.Mapped[datetime.datetime | None] = orm.mapped_column(sa.DateTime)
    message: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    updated_at: orm.Mapped[datetime.datetime | None] = orm.mapped_column(
        sa.DateTime, default=_now, onupdate=_now)


class InstanceActionEvent(Base):
    __tablename__ = 'instance_actions_events'

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    action_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey('instance_actions.id', ondelete='CASCADE'), index=True)
    event: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    start_time: orm.Mapped[datetime.datetime] = orm.mapped_column(sa.DateTime, default=_now)
    finish_time: orm.Mapped[datetime.datetime | None] = orm.mapped_column(sa.DateTime)
    result: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    traceback: orm.Mapped[str | None] = orm.mapped_column(sa.Text)
    host: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    details: orm.Mapped[str | None] = orm.mapped_column(sa.Text)


class Flavor(Timestamps, Base):
    __tablename__ = 'flavors'

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    flavorid: orm.Mapped[str] = orm.mapped_column(sa.String(255), unique=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(255), unique=True)
    memory_mb: orm.Mapped[int]
    vcpus: orm.Mapped[int]
    root_gb: orm.Mapped[int] = orm.mapped_column(default=0)
    ephemeral_gb: orm.Mapped[int] = orm.mapped_column(default=0)
    swap: orm.Mapped[int] = orm.mapped_column(default=0)
    rxtx_factor: orm.Mapped[float] = orm.mapped_column(default=1.0)
    is_public: orm.Mapped[bool] = orm.mapped_column(default=True)
    disabled: orm.Mapped[bool] = orm.mapped_column(default=False)
    description: orm.Mapped[str | None] = orm.mapped_column(sa.Text)


class FlavorExtraSpec(Base):
    __tablename__ = 'flavor_extra_specs'
    __table_args__ = (sa.UniqueConstraint('flavor_id', 'key'),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    flavor_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey('flavors.id', ondelete='CASCADE'))
    key: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    value: orm.Mapped[str] = orm.mapped_column(sa.String(255))


class FlavorProject(Base):
    __tablename__ = 'flavor_projects'
    __table_args__ = (sa.UniqueConstraint('flavor_id', 'project_id'),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    flavor_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey('flavors.id', ondelete='CASCADE'))
    project_id: orm.Mapped[str] = orm.mapped_column(sa.String(255))


class Service(Timestamps, Base):
    __tablename__ = 'services'
    __table_args__ = (sa.UniqueConstraint('host', 'binary'),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    uuid: orm.Mapped[str] = orm.mapped_column(sa.String(36), unique=True)
    host: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    binary: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    topic: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    report_count: orm.Mapped[int] = orm.mapped_column(default=0)
    disabled: orm.Mapped[bool] = orm.mapped_column(default=False)
    disabled_reason: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    forced_down: orm.Mapped[bool] = orm.mapped_column(default=False)
    last_seen_up: orm.Mapped[datetime.datetime | None] = orm.mapped_column(sa.DateTime)
    version: orm.Mapped[int] = orm.mapped_column(default=1)


class ComputeNode(Timestamps, Base):
    __tablename__ = 'compute_nodes'
    __table_args__ = (sa.UniqueConstraint('host', 'hypervisor_hostname'),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    uuid: orm.Mapped[str] = orm.mapped_column(sa.String(36), unique=True)
    host: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    hypervisor_hostname: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    hypervisor_type: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    hypervisor_version: orm.Mapped[int] = orm.mapped_column(default=0)
    host_ip: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    availability_zone: orm.Mapped[str] = orm.mapped_column(sa.String(255), default='nova')
    vcpus: orm.Mapped[int] = orm.mapped_column(default=0)
    memory_mb: orm.Mapped[int] = orm.mapped_column(default=0)
    local_gb: orm.Mapped[int] = orm.mapped_column(default=0)
    vcpus_used: orm.Mapped[int] = orm.mapped_column(default=0)
    memory_mb_used: orm.Mapped[int] = orm.mapped_column(default=0)
    local_gb_used: orm.Mapped[int] = orm.mapped_column(default=0)
    running_vms: orm.Mapped[int] = orm.mapped_column(default=0)
    reserved_host_memory_mb: orm.Mapped[int] = orm.mapped_column(default=0)
    cpu_allocation_ratio: orm.Mapped[float] = orm.mapped_column(default=16.0)
    ram_allocation_ratio: orm.Mapped[float] = orm.mapped_column(default=1.5)
    disk_allocation_ratio: orm.Mapped[float] = orm.mapped_column(default=1.0)
    generation: orm.Mapped[int] = orm.mapped_column(default=0)
    # What the host's hypervisor can do ({'live_migration': bool, ...}), as it reports it.
    capabilities: orm.Mapped[dict | None] = orm.mapped_column(sa.JSON)


class Allocation(Base):
    __tablename__ = 'allocations'
    __table_args__ = (sa.UniqueConstraint('instance_uuid'),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    node_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey('compute_nodes.id', ondelete='CASCADE'), index=True)
    instance_uuid: orm.Mapped[str] = orm.mapped_column(sa.String(36))
    vcpus: orm.Mapped[int] = orm.mapped_column(default=0)
    memory_mb: orm.Mapped[int] = orm.mapped_column(default=0)
    disk_gb: orm.Mapped[int] = orm.mapped_column(default=0)
    created_at: orm.Mapped[datetime.datetime] = orm.mapped_column(sa.DateTime, default=_now)


class Migration(Timestamps, Base):
    """One move of an instance between hosts: live-migration, resize or migration."""
    __tablename__ = 'migrations'

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True, autoincrement=True)
    uuid: orm.Mapped[str] = orm.mapped_column(sa.String(36), unique=True)
    instance_uuid: orm.Mapped[str] = orm.mapped_column(sa.String(36), index=True)
    migration_type: orm.Mapped[str] = orm.mapped_column(sa.String(32),
                                                        default='live-migration')
    source_compute: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    dest_compute: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    source_node: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    dest_node: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    status: orm.Mapped[str] = orm.mapped_column(sa.String(32))
    project_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    user_id: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    # The flavor snapshots a resize or cold migration moves between (None for the others).
    old_flavor: orm.Mapped[dict | None] = orm.mapped_column(sa.JSON)
    new_flavor: orm.Mapped[dict | None] = orm.mapped_column(sa.JSON)
    # An evacuation that reused the disk on shared storage: the source keeps its files.
    shared_storage: orm.Mapped[bool | None] = orm.mapped_column(sa.Boolean)


class RequestSpec(Base):
    __tablename__ = 'request_specs'

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    instance_uuid: orm.Mapped[str] = orm.mapped_column(sa.String(36), unique=True)
    spec: orm.Mapped[dict] = orm.mapped_column(sa.JSON)


class Image(Timestamps, Base):
    __tablename__ = 'images'

    id: orm.Mapped[str] = orm.mapped_column(sa.String(36), primary_key=True)
    name: orm.Mapped[str | None] = orm.mapped_column(sa.String(255), index=True)
    status: orm.Mapped[str] = orm.mapped_column(sa.String(32), default='queued')
    visibility: orm.Mapped[str] = orm.mapped_column(sa.String(32), default='shared')
    owner: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    disk_format: orm.Mapped[str | None] = orm.mapped_column(sa.String(32))
    container_format: orm.Mapped[str | None] = orm.mapped_column(sa.String(32))
    size: orm.Mapped[int | None] = orm.mapped_column(sa.BigInteger)
    virtual_size: orm.Mapped[int | None] = orm.mapped_column(sa.BigInteger)
    checksum: orm.Mapped[str | None] = orm.mapped_column(sa.String(32))
    os_hash_algo: orm.Mapped[str | None] = orm.mapped_column(sa.String(64))
    os_hash_value: orm.Mapped[str | None] = orm.mapped_column(sa.String(128))
    min_disk: orm.Mapped[int] = orm.mapped_column(default=0)
    min_ram: orm.Mapped[int] = orm.mapped_column(default=0)
    protected: orm.Mapped[bool] = orm.mapped_column(default=False)
    properties: orm.Mapped[dict] = orm.mapped_column(sa.JSON, default=dict)


class KeyPair(Timestamps, Base):
    """An SSH or x509 public key, owned by one user (names are per user)."""
    __tablename__ = 'key_pairs'
    __table_args__ = (sa.UniqueConstraint('user_id', 'name'),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    user_id: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    fingerprint: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    public_key: orm.Mapped[str] = orm.mapped_column(sa.Text)
    type: orm.Mapped[str] = orm.mapped_column(sa.String(16), default='ssh')


class ServerGroup(Timestamps, Base):
    """A named set of servers placed by one policy (affinity, anti-affinity, soft-...)."""
    __tablename__ = 'server_groups'

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    uuid: orm.Mapped[str] = orm.mapped_column(sa.String(36), unique=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    project_id: orm.Mapped[str] = orm.mapped_column(sa.String(255), index=True)
    user_id: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    policy: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    rules: orm.Mapped[dict] = orm.mapped_column(sa.JSON, default=dict)


class ServerGroupMember(Base):
    """One server in one group; a server belongs to at most one group."""
    __tablename__ = 'server_group_members'
    __table_args__ = (sa.UniqueConstraint('instance_uuid'),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    group_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey('server_groups.id', ondelete='CASCADE'), index=True)
    instance_uuid: orm.Mapped[str] = orm.mapped_column(sa.String(36))


class Quota(Timestamps, Base):
    """A project's (or, with user_id, one user's) hard limit on one resource."""
    __tablename__ = 'quotas'
    # user_id is '' for a project-wide limit, so the unique constraint holds on every backend.
    __table_args__ = (sa.UniqueConstraint('project_id', 'user_id', 'resource'),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    project_id: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    user_id: orm.Mapped[str] = orm.mapped_column(sa.String(255), default='')
    resource: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    hard_limit: orm.Mapped[int]


class QuotaClass(Timestamps, Base):
    """A quota class's limit on one resource (only 'default' is used, as in Nova)."""
    __tablename__ = 'quota_classes'
    __table_args__ = (sa.UniqueConstraint('class_name', 'resource'),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    class_name: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    resource: orm.Mapped[str] = orm.mapped_column(sa.String(255))
    hard_limit: orm.Mapped[int]


class Tag(Base):
    """One tag of one server (2.26): a short string, unique per server."""
    __tablename__ = 'tags'

    resource_id: orm.Mapped[str] = orm.mapped_column(sa.String(36), primary_key=True)
    tag: orm.Mapped[str] = orm.mapped_column(sa.String(80), primary_key=True, index=True)


class Aggregate(Timestamps, Base):
    """A host aggregate: a named set of hosts with metadata; its zone is its hosts' zone."""
    __tablename__ = 'aggregates'

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    uuid: orm.Mapped[str] = orm.mapped_column(sa.String(36), unique=True)
    name: orm.Mapped[str] = orm.mapped_column(sa.String(255), unique=True)
    # The 'availability_zone' metadata key, kept in a column so one join finds a host's zone.
    availability_zone: orm.Mapped[str | None] = orm.mapped_column(sa.String(255))
    # Every other metadata key.
    extra_metadata: orm.Mapped[dict] = orm.mapped_column('metadata', sa.JSON, default=dict)


class AggregateHost(Base):
    """One host in one aggregate."""
    __tablename__ = 'aggregate_hosts'
    __table_args__ = (sa.UniqueConstraint('aggregate_id', 'host'),)

    id: orm.Mapped[int] = orm.mapped_column(primary_key=True)
    aggregate_id: orm.Mapped[int] = orm.mapped_column(
        sa.ForeignKey('aggregates.id', ondelete='CASCADE'), index=True)
    host: orm.Mapped[str] = orm.mapped_column(sa.String(255), index=True)
