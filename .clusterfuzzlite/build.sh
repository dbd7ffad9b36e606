#!/bin/bash -eu
# ClusterFuzzLite builds the targets exactly as OSS-Fuzz does.
exec bash -eu "$SRC/swapdiff/oss-fuzz/build.sh"
