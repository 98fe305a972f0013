# The EtcdCluster helper (tests/support) against a real etcd 3.4 (Debian package "etcd-server"); skips without it.
jobslib_add_test(tst_etcdcluster SOURCES tst_etcdcluster.cpp PREFIX etcd LABELS etcd)
