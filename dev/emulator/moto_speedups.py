"""
Speed-ups for the pinned moto (requirements-emulator.txt) in server mode, loaded by
dev/emulator/moto-server.ts before moto starts. Each one keeps moto's behaviour and removes a cost that
grows with the size of the emulated fleet, so a test of thousands of connections runs in a minute or
two rather than in hours:

- SQS reads the clock four times per queued message on every send, receive and attribute read (to
  tell visible and delayed messages apart), through a datetime-based helper that costs microseconds
  per call: with 2,000 orders queued, one SendMessageBatch spends most of a second there. The fast
  path reads the same clock (time.time) when no datetime is passed.
- DynamoDB's TransactWriteItems deep-copies every table it touches before it starts, to roll back on
  failure: a copy of every connection and history item for each commit, about a second per commit
  at 2,000 connections. Instead, the items the transaction names are saved, and restored if it fails.
- Every request lists moto's package directory (hundreds of stat calls) to find its service, and
  every response lists its handler class's methods with `inspect`: both are the same for the life
  of the server, so they are computed once. The access log line werkzeug writes per request goes too
  (its warnings and errors stay).

A moto other than the pinned one is left as it is (the internals patched here may have changed).
"""

import copy
import sys
import threading
import time

PINNED_MOTO = "5.2.5"

_in_transaction = threading.local()


def apply():
    import moto

    if moto.__version__ != PINNED_MOTO:
        sys.stderr.write(
            f"moto_speedups: moto {moto.__version__} is not the pinned {PINNED_MOTO}; running it unpatched\n"
        )
        return
    _fast_sqs_clock()
    _transactions_save_only_their_items()
    _dispatch_computed_once()


def _dispatch_computed_once():
    import functools
    import logging

    import moto.backends as backends
    import moto.core.responses as responses

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules

    method_names = functools.lru_cache(maxsize=None)(responses.method_names_from_class)
    responses.method_names_from_class = lambda clazz: list(method_names(clazz))

    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def _fast_sqs_clock():
    import moto.sqs.models as sqs

    slow_seconds = sqs.unix_time
    slow_millis = sqs.unix_time_millis

    def unix_time(dt=None):
        return time.time() if dt is None else slow_seconds(dt)

    def unix_time_millis(dt=None):
        return time.time() * 1000.0 if dt is None else slow_millis(dt)

    sqs.unix_time = unix_time
    sqs.unix_time_millis = unix_time_millis


class _CopyWithoutTables:
    """moto's `copy` inside dynamodb.models: a table deep-copied for a transaction's rollback is handed
    back as it is (the transaction saves its own items instead); everything else is copied as before."""

    def __getattr__(self, name):
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value, memo=None):
        from moto.dynamodb.models.table import Table

        if getattr(_in_transaction, "active", False) and isinstance(value, Table):
            return value
        return copy.deepcopy(value, memo)


def _transactions_save_only_their_items():
    import moto.dynamodb.models as dynamodb

    dynamodb.copy = _CopyWithoutTables()
    original = dynamodb.DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        saved = _save_items(self, transact_items)
        _in_transaction.active = True
        try:
            return original(self, transact_items)
        except Exception:
            # moto's own rollback put the live tables back in place (a no-op now): restore the
            # items the transaction touched, in reverse, so the first state of each wins.
            for table, hash_key, range_key, attributes in reversed(saved):
                if attributes is None:
                    table.delete_item(hash_key, range_key)
                else:
                    table.put_item(attributes, overwrite=True)
            raise
        finally:
            _in_transaction.active = False

    dynamodb.DynamoDBBackend.transact_write_items = transact_write_items


def _save_items(backend, transact_items):
    """(table, hash key, range key, attributes or None) of every item the transaction names."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    saved = []
    for entry in transact_items:
        try:
            _, operation = next(iter(entry.items()))
            table = backend.tables[operation["TableName"]]
            key = operation.get("Key") or operation["Item"]
            hash_key = DynamoType(key[table.hash_key_attr])
            range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
            current = table.get_item(hash_key, range_key)
        except Exception:
            # A malformed operation changes nothing: moto refuses it.
            continue
        attributes = None if current is None else current.to_json()["Attributes"]
        saved.append((table, hash_key, range_key, attributes))
    return saved
