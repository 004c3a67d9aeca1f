# A TLS session over a socket pair inside this process: the client writes argv[3], the server
# reads it and answers "pong " + it. argv[1], argv[2]: the server's certificate and key.
# Prints its pid first.
import os
import socket
import ssl
import sys
import threading

cert, key, marker = sys.argv[1:4]
print(os.getpid(), flush=True)
server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
server_ctx.load_cert_chain(cert, key)
client_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
client_ctx.check_hostname = False
client_ctx.verify_mode = ssl.CERT_NONE
a, b = socket.socketpair()


def serve():
    s = server_ctx.wrap_socket(b, server_side=True)
    s.sendall(b"pong " + s.recv(1024))


t = threading.Thread(target=serve)
t.start()
c = client_ctx.wrap_socket(a, server_hostname="localhost")
c.sendall(marker.encode())
print(c.recv(1024).decode(), flush=True)
t.join()
