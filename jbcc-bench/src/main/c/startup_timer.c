// SPDX-License-Identifier: GPL-2.0
// Start-up timer for tracing tools: runs COMMAND with its stdout on a pseudo-terminal (so tools that
// use stdio print at once, as they would on a terminal), and measures the time from fork until the
// first output line that starts with MARKER - a line the tool prints only after it has attached
// (opensnoop's "PID" header, execsnoop's "PCOMM" header, biolatency's "Tracing" line). With -e the
// tool's stderr goes to the terminal too (for a tool that prints that line on stderr); without it,
// stderr stays the timer's. It then keeps the tool running for SETTLE_MS while draining its output,
// reads VmRSS and VmHWM from /proc/PID/status, stops it with SIGINT and waits.
//
//   startup_timer [-e] SETTLE_MS MARKER COMMAND [ARGS...]
// prints: attach_ms vmrss_kb vmhwm_kb pss_kb private_kb cpu_ms
// (Pss and Private_Clean + Private_Dirty from /proc/PID/smaps_rollup: RSS counts shared, file-backed
// pages such as libjvm.so or a JVM's class archive in full; Pss divides them among their users and
// Private leaves them out. cpu_ms: the tool's CPU time, all threads, when its header arrived: less at
// the mercy of a loaded machine than attach_ms.)
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long proc_kb(pid_t pid, const char *file, const char *field)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	long kb = -1;
	size_t n = strlen(field);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, field, n) == 0 && line[n] == ':') {
			kb = strtol(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

static double cpu_ms(pid_t pid)
{
	// Each thread's time on a CPU in ns (/proc/PID/task/TID/schedstat, first field): finer than
	// /proc/PID/stat's clock ticks. Threads that already ended are missing; a JVM's do not end
	// before it attaches.
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	double ns = 0;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		char file[300];
		snprintf(file, sizeof(file), "/proc/%d/task/%s/schedstat", pid, e->d_name);
		FILE *f = fopen(file, "r");
		unsigned long long run;
		if (f && fscanf(f, "%llu", &run) == 1)
			ns += run;
		if (f)
			fclose(f);
	}
	closedir(d);
	return ns / 1e6;
}

// Reads what is available (up to wait_ms); returns bytes read, 0 at EOF, -1 on timeout.
static ssize_t drain(int fd, char *buf, size_t cap, int wait_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int r = poll(&p, 1, wait_ms);
	if (r <= 0)
		return -1;
	ssize_t n = read(fd, buf, cap);
	return n < 0 ? 0 : n; // EIO on a pty master = the child closed its side
}

int main(int argc, char **argv)
{
	int both = argc > 1 && strcmp(argv[1], "-e") == 0;
	argv += both;
	argc -= both;
	if (argc < 4 || !argv[2][0]) {
		fprintf(stderr, "usage: startup_timer [-e] SETTLE_MS MARKER COMMAND [ARGS...]\n");
		return 2;
	}
	int settle_ms = atoi(argv[1]);
	char marker[128];
	snprintf(marker, sizeof(marker), "\n%s", argv[2]);
	char **command = argv + 3;
	struct termios raw;
	memset(&raw, 0, sizeof(raw));
	cfmakeraw(&raw);
	int master;
	int saved_stderr = dup(STDERR_FILENO);
	double start = now_ms();
	pid_t pid = forkpty(&master, NULL, &raw, NULL);
	if (pid < 0) {
		perror("forkpty");
		return 1;
	}
	if (pid == 0) {
		// stdin and stdout on the terminal; stderr too with -e, else where the timer's goes.
		if (!both)
			dup2(saved_stderr, STDERR_FILENO);
		close(saved_stderr);
		execvp(command[0], command);
		perror(command[0]);
		_exit(127);
	}
	close(saved_stderr);
	// Look for a line starting with MARKER at the start of the output or after a newline (the
	// terminal is raw: no "\r" is added).
	size_t mlen = strlen(marker);
	char buf[65536], tail[sizeof(marker)] = "\n";
	double attached = -1, cpu = -1;
	double deadline = start + 120000;
	while (attached < 0) {
		double left = deadline - now_ms();
		if (left <= 0)
			break;
		ssize_t n = drain(master, buf, sizeof(buf) - 1, (int)left);
		if (n <= 0)
			break;
		buf[n] = 0;
		char joined[sizeof(buf) + sizeof(tail)];
		snprintf(joined, sizeof(joined), "%s%s", tail, buf);
		if (strstr(joined, marker)) {
			attached = now_ms();
			cpu = cpu_ms(pid);
		}
		size_t keep = (size_t)n < mlen - 1 ? (size_t)n : mlen - 1;
		memcpy(tail, buf + n - keep, keep);
		tail[keep] = 0;
	}
	long rss = -1, hwm = -1, pss = -1, priv = -1;
	if (attached >= 0) {
		double until = now_ms() + settle_ms;
		for (double left; (left = until - now_ms()) > 0;)
			if (drain(master, buf, sizeof(buf), (int)left) == 0)
				break;
		rss = proc_kb(pid, "status", "VmRSS");
		hwm = proc_kb(pid, "status", "VmHWM");
		pss = proc_kb(pid, "smaps_rollup", "Pss");
		long clean = proc_kb(pid, "smaps_rollup", "Private_Clean");
		long dirty = proc_kb(pid, "smaps_rollup", "Private_Dirty");
		priv = clean < 0 || dirty < 0 ? -1 : clean + dirty;
	}
	kill(pid, SIGINT);
	double stop_deadline = now_ms() + 10000;
	int wstatus = 0;
	while (waitpid(pid, &wstatus, WNOHANG) == 0) {
		if (now_ms() > stop_deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &wstatus, 0);
			break;
		}
		drain(master, buf, sizeof(buf), 50);
	}
	close(master);
	if (attached < 0) {
		fprintf(stderr, "%s: no line starting with '%s' within the time limit (exit status %d)\n", command[0], argv[2],
			WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
		return 1;
	}
	printf("%.1f %ld %ld %ld %ld %.0f\n", attached - start, rss, hwm, pss, priv, cpu);
	return 0;
}
