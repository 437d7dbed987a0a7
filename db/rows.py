"""Turn ORM and Core rows into plain dicts: nothing above db/ ever holds an ORM object."""


def to_dict(row, rename=None):
    if row is None:
        return None
    rename = rename or {}
    values = {}
    for column in row.__table__.columns:
        attr = row.__mapper__.get_property_by_column(column).key
        values[rename.get(attr, attr)] = getattr(row, attr)
    return values


def mapping(row):
    """A Core result row as a dict keyed by column name, or None."""
    return dict(row._mapping) if row is not None else None
