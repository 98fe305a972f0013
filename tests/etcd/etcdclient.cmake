# EtcdClient (the etcd v3 JSON gateway transport) against a real etcd 3.4 (Debian package
# "etcd-server"; skips without it): KV, txns, leases, watches, endpoint failover, auth, timeouts.
jobslib_add_test(tst_etcdclient SOURCES tst_etcdclient.cpp PREFIX etcd LABELS etcd)
