"""Exit 0 when a Kafka broker answers a Metadata request listing at least one broker.

Standard library only, so scripts/infra.sh can probe readiness before any project
dependency is installed. Metadata v4 is the oldest version Kafka 4.x still serves.
"""

import socket
import struct
import sys

METADATA_API_KEY = 3
METADATA_VERSION = 4


def metadata_request(correlation_id: int) -> bytes:
    client_id = b"hub-infra-ping"
    header = struct.pack(">hhih", METADATA_API_KEY, METADATA_VERSION, correlation_id, len(client_id))
    body = struct.pack(">i?", -1, False)  # all topics (null array), no auto-creation
    payload = header + client_id + body
    return struct.pack(">i", len(payload)) + payload


def read_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("broker closed the connection")
        data += chunk
    return data


def broker_count(address: str) -> int:
    host, port = address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=2) as sock:
        sock.sendall(metadata_request(correlation_id=1))
        (size,) = struct.unpack(">i", read_exact(sock, 4))
        response = read_exact(sock, size)
        correlation_id, _throttle_ms, brokers = struct.unpack(">iii", response[:12])
        if correlation_id != 1:
            raise ConnectionError("unexpected correlation id")
        return brokers


if __name__ == "__main__":
    try:
        sys.exit(0 if broker_count(sys.argv[1]) >= 1 else 1)
    except OSError:
        sys.exit(1)
