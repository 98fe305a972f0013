# Real runjob processes on one etcd key against real etcd members (Debian's etcd-server; the test
# skips without it): handovers, member and quorum loss, a frozen holder, lock-info/release-lock,
# the etcd liveness backend, --print-config and --explain.
jobslib_add_test(tst_etcdhandover SOURCES tst_etcdhandover.cpp PREFIX etcd LABELS etcd TIMEOUT 400 DEPENDS runjob jobslib-guard)
