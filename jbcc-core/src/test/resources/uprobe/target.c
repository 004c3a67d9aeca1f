/* The process the uprobe tests probe: waits for a line on stdin, calls jbcc_target(i) and
 * getpid() argv[1] times, prints the sum of the results and "done", then waits for another line
 * before exiting, so that the test can read its memory map while it is alive. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((noinline)) int jbcc_target(int x)
{
	return x * 2 + 1;
}

int main(int argc, char **argv)
{
	char line[64];
	int n = argc > 1 ? atoi(argv[1]) : 1;
	long sum = 0;

	if (!fgets(line, sizeof(line), stdin))
		return 2;
	for (int i = 0; i < n; i++) {
		sum += jbcc_target(i);
		getpid();
	}
	printf("%ld\ndone\n", sum);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 3;
	return 0;
}
