# A TCP session on 127.0.0.1 whose receiving end drops every segment (a classic BPF filter that
# returns 0), so the sender retransmits. Prints "client-port server-port", then keeps the
# session open for argv[1] seconds.
# With argv[2] "recover": waits for a line on standard input before it sends, and after the
# argv[1] seconds removes the filter, so that a retransmission is acked (the sender goes from
# the Loss state back to Open), and ends once the data has arrived.
import ctypes
import socket
import struct
import sys
import time

SO_ATTACH_FILTER, SO_DETACH_FILTER = 26, 27
recover = len(sys.argv) > 2 and sys.argv[2] == "recover"
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen(1)
client = socket.create_connection(server.getsockname())
accepted, _ = server.accept()
drop_all = ctypes.create_string_buffer(struct.pack("HBBI", 0x06, 0, 0, 0))  # BPF_RET|BPF_K 0
accepted.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, struct.pack("HL", 1, ctypes.addressof(drop_all)))
print(client.getsockname()[1], server.getsockname()[1], flush=True)
if recover:
    sys.stdin.readline()
client.send(b"x" * 100)
time.sleep(float(sys.argv[1]))
if recover:
    accepted.setsockopt(socket.SOL_SOCKET, SO_DETACH_FILTER, 0)
    accepted.settimeout(30)
    received = 0
    while received < 100:
        received += len(accepted.recv(100))
    # New data past the loss: its ack ends the sender's Loss state. The ack travels on the reply
    # (a bare ack could be delayed up to 200 ms), and the sender's TCP has taken it in once the
    # reply reaches the client.
    client.send(b"y")
    accepted.recv(1)
    accepted.send(b"z")
    client.settimeout(30)
    client.recv(1)
