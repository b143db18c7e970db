"""Run under mpiexec by test_distributed.py: the last rank fails while the others wait in a
collective; the job must end (non-zero) quickly with an error naming the failing rank.

Usage: mpi_failure.py MODE where MODE is
  raise  -- the last rank raises an uncaught exception (excepthook -> MPI_Abort)
  kill   -- the last rank kills itself with SIGKILL (the MPI launcher ends the job)
  exit   -- the last rank returns early without error (its atexit handler tells the others)
  sys_exit -- the last rank calls sys.exit(3)
  stall  -- the last rank hangs; the others time out (group timeout 3 s)
  mismatch -- the ranks all_reduce tensors of different shapes, uncaught
"""
import datetime
import os
import signal
import sys
import time

import numtorch as torch
import numtorch.distributed as dist


def main(mode):
    dist.init_process_group("mpi", timeout=datetime.timedelta(seconds=60))
    rank, size = dist.get_rank(), dist.get_world_size()
    t = torch.ones(4)
    dist.all_reduce(t)                      # everyone is up (start-up may be slow)
    group = dist.new_group(timeout=datetime.timedelta(seconds=3))
    last = rank == size - 1
    if mode == "mismatch":
        dist.all_reduce(torch.zeros(rank + 1), group=group)
    elif last:
        time.sleep(0.2)                     # the others are inside all_reduce by now
        if mode == "raise":
            raise ValueError(f"deliberate failure in rank {rank}")
        if mode == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        if mode == "exit":
            return
        if mode == "sys_exit":
            sys.exit(3)
        if mode == "stall":
            time.sleep(60)
    dist.all_reduce(t, group=group)         # the others wait here for the failed rank
    print(f"rank {rank}: unexpectedly finished", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
