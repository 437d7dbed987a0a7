"""HTTP gateway: OpenStack Compute v2.1 wire format plus identity v3 and image v2 subsets."""
