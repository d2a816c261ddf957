"""The channel between a web worker and its query processes: whole messages, whatever their size; EOF when closed."""

from __future__ import annotations

import socket
import threading

import pytest

from montagne_kg.serving.querypool import FIRST_READ, Channel


@pytest.fixture
def pair():
    left, right = socket.socketpair()
    yield Channel(left), Channel(right)
    left.close()
    right.close()


@pytest.mark.parametrize("size", [0, 1, FIRST_READ - 20, FIRST_READ, 5 * FIRST_READ + 3])
def test_a_message_arrives_whole(pair: tuple[Channel, Channel], size: int) -> None:
    sender, receiver = pair
    message = ("answer", bytes(range(256)) * (size // 256) + b"x" * (size % 256))
    writer = threading.Thread(target=sender.send, args=(message,))  # large ones do not fit the socket buffer
    writer.start()
    assert receiver.recv() == message
    writer.join()


def test_messages_in_turn_stay_apart(pair: tuple[Channel, Channel]) -> None:
    left, right = pair
    for i in range(3):
        left.send(("job", i))
        assert right.recv() == ("job", i)
        right.send(("answer", i))
        assert left.recv() == ("answer", i)


def test_a_closed_end_is_eof_even_mid_message(pair: tuple[Channel, Channel]) -> None:
    sender, receiver = pair
    sender.sock.sendall(Channel.SIZE.pack(1000) + b"only part")
    sender.close()
    with pytest.raises(EOFError):
        receiver.recv()


def test_a_closed_end_before_any_byte_is_eof(pair: tuple[Channel, Channel]) -> None:
    sender, receiver = pair
    sender.close()
    with pytest.raises(EOFError):
        receiver.recv()
