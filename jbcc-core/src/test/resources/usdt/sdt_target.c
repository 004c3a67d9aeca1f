/* The process the USDT tests probe. Probe jbcc:tick has two sites whose arguments live in
 * different places (registers at -O2, stack slots at -O0, a global through %rip, an immediate);
 * jbcc:guarded only fires while its semaphore is non-zero, i.e. while a tracer is attached.
 * jbcc:sib passes an array element through base + index * scale.
 * Protocol: wait for a line, run, print the guarded semaphore's value seen during the run and
 * "done", wait for a line, exit. */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>
#include <stdio.h>
#include <stdlib.h>

unsigned short jbcc_tick_semaphore __attribute__((section(".probes"))) __attribute__((used));
unsigned short jbcc_guarded_semaphore __attribute__((section(".probes"))) __attribute__((used));
unsigned short jbcc_sib_semaphore __attribute__((section(".probes"))) __attribute__((used));
volatile long jbcc_global = 1000;
/* In .data next to jbcc_global, which the loop writes: the page is present when the probe reads
 * the string (bpf_probe_read_user cannot fault in a never-touched .rodata page). */
char jbcc_alpha[8] = "alpha", jbcc_bravo[8] = "bravo";

__attribute__((noinline)) void site_a(int i, const char *name)
{
	signed char small = (signed char)-i;
	short medium = (short)(i * 100);
	long global = jbcc_global;
	(void)global;
	STAP_PROBE6(jbcc, tick, i, small, medium, jbcc_global, 42, name);
}

__attribute__((noinline, optimize("O0"))) void site_b(long i, const char *name)
{
	signed char small = (signed char)-i;
	short medium = (short)(i * 100);
	STAP_PROBE6(jbcc, tick, i, small, medium, jbcc_global, 42, name);
}

/* Indexed addressing: gcc passes t[i] as -4@(%rsi,%rdi,4). */
int jbcc_table[64];

__attribute__((noinline)) void site_sib(long i, int *t)
{
	STAP_PROBE2(jbcc, sib, i, t[i]);
}

int main(int argc, char **argv)
{
	char line[64];
	int n = argc > 1 ? atoi(argv[1]) : 1;
	unsigned short seen = 0;

	for (int k = 0; k < 64; k++)
		jbcc_table[k] = k * k + 3;
	if (!fgets(line, sizeof(line), stdin))
		return 2;
	for (int i = 0; i < n; i++) {
		jbcc_global = 1000 + i;
		site_a(i, jbcc_alpha);
		jbcc_global = 1000 + n + i;
		site_b(n + i, jbcc_bravo);
		site_sib(i % 64, jbcc_table);
		if (jbcc_guarded_semaphore) {
			seen = jbcc_guarded_semaphore;
			STAP_PROBE1(jbcc, guarded, i);
		}
	}
	printf("%u\ndone\n", seen);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 3;
	return 0;
}
