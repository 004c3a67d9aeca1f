# Passes a descriptor of the file argv[1] over a unix socket pair to itself (SCM_RIGHTS), prints
# "pid sent-fd received-fd", then keeps both open for argv[2] seconds.
import os
import socket
import sys
import time

sender, receiver = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
f = open(sys.argv[1], "rb")
socket.send_fds(sender, [b"x"], [f.fileno()])
_, fds, _, _ = socket.recv_fds(receiver, 1, 1)
print(os.getpid(), f.fileno(), fds[0], sender.fileno(), receiver.fileno(), flush=True)
time.sleep(float(sys.argv[2]))
