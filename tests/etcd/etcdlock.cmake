# EtcdLock and EtcdLiveness in-process against a real etcd.
jobslib_add_test(tst_etcdlock SOURCES tst_etcdlock.cpp PREFIX etcd LABELS etcd TIMEOUT 120)
