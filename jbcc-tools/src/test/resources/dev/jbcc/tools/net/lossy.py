# A TCP session on 127.0.0.1 that loses segments for a while: the receiving end drops everything
# (a classic BPF filter returning 0) for argv[1] seconds, so the sender's retransmission timer
# puts it in the Loss state, then the filter is removed and a retransmission is acked, which
# takes it back to Open. Prints "client-port server-port", waits for a line on standard input,
# then sends, and ends once the data has arrived.
import ctypes
import socket
import struct
import sys
import time

SO_ATTACH_FILTER, SO_DETACH_FILTER = 26, 27
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen(1)
client = socket.create_connection(server.getsockname())
accepted, _ = server.accept()
drop_all = ctypes.create_string_buffer(struct.pack("HBBI", 0x06, 0, 0, 0))  # BPF_RET|BPF_K 0
accepted.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, struct.pack("HL", 1, ctypes.addressof(drop_all)))
print(client.getsockname()[1], server.getsockname()[1], flush=True)
sys.stdin.readline()
client.send(b"x" * 100)
time.sleep(float(sys.argv[1]))
accepted.setsockopt(socket.SOL_SOCKET, SO_DETACH_FILTER, 0)
accepted.settimeout(30)
received = 0
while received < 100:
    received += len(accepted.recv(100))
client.send(b"y")  # acked at once: the sender's state is settled
accepted.recv(1)
time.sleep(0.2)
