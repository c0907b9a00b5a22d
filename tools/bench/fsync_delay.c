// SPDX-License-Identifier: Apache-2.0
// A flush-latency model for benchmarks and crash tests: an LD_PRELOAD library that makes every
// fsync/fdatasync take longer, as on an SD card, and counts what the process writes.
//
//   CUNXIN_FSYNC_DELAY_MS=15       add 15 ms to every flush (0 or unset: no delay)
//   CUNXIN_FSYNC_STATS=/tmp/x.bin  keep counters in that file, readable while the process runs:
//                                  32 bytes, little-endian uint64
//                                  [fsync calls, fdatasync calls, bytes written to regular files,
//                                   write calls to regular files]
//
// The counters live in a MAP_SHARED mapping of the file, so a benchmark reads them at any time
// (even after kill -9) without asking the process. Child processes inherit LD_PRELOAD and the
// environment and so add to the same counters.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

enum { FSYNC_CALLS, FDATASYNC_CALLS, BYTES_WRITTEN, WRITE_CALLS, COUNTERS };

static uint64_t* counters;  // NULL: not counting
static long delay_ms;

__attribute__((constructor)) static void fsync_delay_init(void) {
    const char* d = getenv("CUNXIN_FSYNC_DELAY_MS");
    if (d) delay_ms = strtol(d, NULL, 10);
    if (delay_ms < 0) delay_ms = 0;
    const char* path = getenv("CUNXIN_FSYNC_STATS");
    if (!path || !*path) return;
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return;
    struct stat st;
    if (fstat(fd, &st) == 0 && st.st_size < (off_t)(COUNTERS * sizeof(uint64_t)) &&
        ftruncate(fd, COUNTERS * sizeof(uint64_t)) != 0) {
        close(fd);
        return;
    }
    void* m = mmap(NULL, COUNTERS * sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (m != MAP_FAILED) counters = (uint64_t*)m;
}

static void add(int which, uint64_t n) {
    if (counters) __atomic_fetch_add(&counters[which], n, __ATOMIC_RELAXED);
}

static void pause_for_flush(void) {
    if (delay_ms <= 0) return;
    struct timespec ts = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static int regular(int fd) {
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

static void count_write(int fd, ssize_t n) {
    if (!counters || n <= 0) return;
    if (!regular(fd)) return;
    add(BYTES_WRITTEN, (uint64_t)n);
    add(WRITE_CALLS, 1);
}

#define REAL(fn) \
    static __typeof__(&fn) real = NULL; \
    if (!real) real = (__typeof__(&fn))dlsym(RTLD_NEXT, #fn)

int fsync(int fd) {
    REAL(fsync);
    int saved = errno;
    pause_for_flush();
    errno = saved;
    add(FSYNC_CALLS, 1);
    return real(fd);
}

int fdatasync(int fd) {
    REAL(fdatasync);
    int saved = errno;
    pause_for_flush();
    errno = saved;
    add(FDATASYNC_CALLS, 1);
    return real(fd);
}

ssize_t write(int fd, const void* buf, size_t count) {
    REAL(write);
    ssize_t n = real(fd, buf, count);
    int saved = errno;
    count_write(fd, n);
    errno = saved;
    return n;
}

ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset) {
    REAL(pwrite);
    ssize_t n = real(fd, buf, count, offset);
    int saved = errno;
    count_write(fd, n);
    errno = saved;
    return n;
}

ssize_t pwrite64(int fd, const void* buf, size_t count, off64_t offset) {
    REAL(pwrite64);
    ssize_t n = real(fd, buf, count, offset);
    int saved = errno;
    count_write(fd, n);
    errno = saved;
    return n;
}

ssize_t writev(int fd, const struct iovec* iov, int iovcnt) {
    REAL(writev);
    ssize_t n = real(fd, iov, iovcnt);
    int saved = errno;
    count_write(fd, n);
    errno = saved;
    return n;
}
