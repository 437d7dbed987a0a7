"""UTC clock helpers (naive UTC datetimes, as every database here stores them)."""
import datetime


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def isotime(value):
    """ISO 8601 with a Z, as Nova's API prints times; None stays None."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse(value)
    return value.replace(microsecond=0).isoformat() + 'Z'


def parse(value):
    """A naive UTC datetime from an ISO string (as datetimes arrive over RPC)."""
    if value is None or isinstance(value, datetime.datetime):
        return value
    parsed = datetime.datetime.fromisoformat(value.rstrip('Z'))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return parsed
