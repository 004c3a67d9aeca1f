/* Seed for the .note.stapsdt fuzz target: a tiny static executable with USDT probes of each argument kind. */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

unsigned short seed_none_semaphore __attribute__((section(".probes")));
unsigned short seed_three_semaphore __attribute__((section(".probes")));
unsigned short seed_constants_semaphore __attribute__((section(".probes")));
unsigned short seed_guarded_semaphore __attribute__((section(".probes")));
static volatile long counter;
static volatile int small = 7;

void _start(void) {
    for (;;) {
        long a = counter;
        DTRACE_PROBE(seed, none);
        DTRACE_PROBE3(seed, three, a, small, &counter);
        DTRACE_PROBE2(seed, constants, 42, -1);
        if (seed_guarded_semaphore) DTRACE_PROBE1(seed, guarded, counter);
        counter = a + 1;
    }
}
