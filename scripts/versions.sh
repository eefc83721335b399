# Pinned inputs fetched from Debian's package registry (sourced by the build
# scripts). Updating one: change the version and the checksum together; the
# build refuses a mismatch rather than silently building something else.

# Kernel source: the linux-source-6.1 binary package ships the tarball.
LINUX_PKG=linux-source-6.1
LINUX_PKG_VERSION=6.1.192-3
LINUX_TARBALL=/usr/src/linux-source-6.1.tar.xz
LINUX_TARBALL_SHA256=cacdc3830989309d042083be3307969e55600ed7f908cf00df544c5ff50759a1

# BusyBox: Debian's source package, fetched with apt-get source.
BUSYBOX_SRC_PKG=busybox
BUSYBOX_SRC_VERSION=1:1.35.0-4+deb12u1
BUSYBOX_DSC_SHA256=9c01fe128b0eeded371c70e37d474fdb5055f71b5d0a778db44c6b0c62d3a7fa

# Fixed build identity for the kernel (reproducible, cache-friendly).
export KBUILD_BUILD_USER=roadbox KBUILD_BUILD_HOST=roadbox KBUILD_BUILD_VERSION=1
