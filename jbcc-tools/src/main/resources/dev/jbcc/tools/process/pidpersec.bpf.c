// jbcc pidpersec: new tasks (processes and threads) counted as they are forked. The count only
// grows; the tool prints the difference each second, so nothing is lost between read and reset.
BPF_ARRAY(forks, u64, 1);

TRACEPOINT_PROBE(sched, sched_process_fork)
{
    forks.atomic_increment(0);
    return 0;
}
