"""Quotas: max_count shrinks to what fits, and a request that cannot fit min_count is a 403."""
import contextlib


@contextlib.contextmanager
def quota(cloud, **limits):
    # Put back what the cloud had (its own override of -1), not the option's default.
    before = {name: cloud.conf.quota[name] for name in limits}
    for name, value in limits.items():
        cloud.conf.set_override(name, value, group='quota')
    try:
        yield
    finally:
        for name, value in before.items():
            cloud.conf.set_override(name, value, group='quota')


def test_instance_quota(cloud, alt, image_id):
    with quota(cloud, instances=2):
        resp = alt.create_server('q', image_id, min_count=1, max_count=5,
                                 return_reservation_id=True)
        assert resp.status_code == 202, resp.text
        reservation = resp.json()['reservation_id']
        listed = alt.get(f'/compute/v2.1/servers?reservation_id={reservation}').json()
        ids = [s['id'] for s in listed['servers']]
        assert len(ids) == 2
        refused = alt.create_server('q-more', image_id)
        assert refused.status_code == 403
        assert 'Quota exceeded for instances' in refused.json()['forbidden']['message']
    for server_id in ids:
        alt.wait_status(server_id, {'ACTIVE'})
    alt.delete_all(ids)


def test_ram_quota_counts_flavor_size(cloud, alt, image_id):
    with quota(cloud, ram=1000):
        resp = alt.create_server('big', image_id, flavor='2')  # m1.small: 2048 MB
        assert resp.status_code == 403
        assert 'ram' in resp.json()['forbidden']['message']
