#!/usr/bin/python3
"""Server reflection of the real rpc_server, spoken directly with Python's
grpcio: list and describe (the requests grpcurl `list` and `describe` make)
through grpc.reflection.v1 and v1alpha, comments included."""

import os
import subprocess
import sys
import tempfile
import unittest

import grpc
from google.protobuf import descriptor_pb2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from processes import require_env, start_core  # noqa: E402

RPC_SERVER = require_env("RPC_SERVER")
GRPC_PROTO_ROOT = os.environ.get("GRPC_PROTO_ROOT", "/usr/share/grpc-proto")
VERSIONS = ["v1", "v1alpha"]


class ReflectionTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        # grpc's own package must not shadow the generated "grpc.reflection":
        # generate under a package name of our own.
        out = os.path.join(cls.tmp.name, "gen")
        os.makedirs(out)
        subprocess.run(["protoc", f"-I{GRPC_PROTO_ROOT}", f"--python_out={out}",
                        *[f"grpc/reflection/{v}/reflection.proto" for v in VERSIONS]],
                       check=True, timeout=60)
        cls.modules = {}
        import importlib.util
        for v in VERSIONS:
            path = os.path.join(out, "grpc", "reflection", v, "reflection_pb2.py")
            spec = importlib.util.spec_from_file_location(f"reflection_{v}_pb2", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            cls.modules[v] = module
        cls.server = start_core(RPC_SERVER)
        cls.channel = grpc.insecure_channel(cls.server.target)

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()
        cls.server.terminate()
        cls.tmp.cleanup()

    def ask(self, version, **request_fields):
        module = self.modules[version]
        call = self.channel.stream_stream(
            f"/grpc.reflection.{version}.ServerReflection/ServerReflectionInfo",
            request_serializer=module.ServerReflectionRequest.SerializeToString,
            response_deserializer=module.ServerReflectionResponse.FromString)
        request = module.ServerReflectionRequest(**request_fields)
        [response] = list(call(iter([request]), timeout=30))
        return response

    def describe(self, version, symbol):
        response = self.ask(version, file_containing_symbol=symbol)
        self.assertEqual(response.WhichOneof("message_response"), "file_descriptor_response")
        files = {}
        for raw in response.file_descriptor_response.file_descriptor_proto:
            file = descriptor_pb2.FileDescriptorProto.FromString(raw)
            files[file.name] = file
        return files

    def test_list_services(self):
        for version in VERSIONS:
            response = self.ask(version, list_services="")
            names = sorted(s.name for s in response.list_services_response.service)
            # channelz reveals every client's address: not on the public port
            # unless --channelz.
            self.assertEqual(names, ["grpc.health.v1.Health",
                                     "grpc.reflection.v1.ServerReflection",
                                     "grpc.reflection.v1alpha.ServerReflection",
                                     "sockrpc.square.v1.SquareService",
                                     "sockrpc.time.v1.TimeService"], version)

    def test_channelz_only_with_its_flag(self):
        with start_core(RPC_SERVER, extra=["--channelz"]) as server, \
                grpc.insecure_channel(server.target) as channel:
            module = self.modules["v1"]
            call = channel.stream_stream(
                "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
                request_serializer=module.ServerReflectionRequest.SerializeToString,
                response_deserializer=module.ServerReflectionResponse.FromString)
            [response] = list(call(iter([module.ServerReflectionRequest(list_services="")]),
                                   timeout=30))
            names = [s.name for s in response.list_services_response.service]
            self.assertIn("grpc.channelz.v1.Channelz", names)
            get_servers = channel.unary_unary("/grpc.channelz.v1.Channelz/GetServers",
                                              request_serializer=lambda _: b"",
                                              response_deserializer=lambda raw: raw)
            self.assertTrue(get_servers(None, timeout=10))
            self.assertEqual(server.terminate(), 0)

    def test_channelz_is_not_served_by_default(self):
        get_servers = self.channel.unary_unary("/grpc.channelz.v1.Channelz/GetServers",
                                               request_serializer=lambda _: b"",
                                               response_deserializer=lambda raw: raw)
        with self.assertRaises(grpc.RpcError) as raised:
            get_servers(None, timeout=10)
        self.assertEqual(raised.exception.code(), grpc.StatusCode.UNIMPLEMENTED)

    def test_describe_a_service_with_its_comments(self):
        for version in VERSIONS:
            files = self.describe(version, "sockrpc.square.v1.SquareService")
            square = files["sockrpc/square/v1/square_service.proto"]
            [service] = square.service
            self.assertEqual([m.name for m in service.method],
                             ["Square", "SquareStream", "SquareBatchStream"])
            self.assertTrue(service.method[1].client_streaming)
            comments = " ".join(loc.leading_comments for loc in square.source_code_info.location)
            self.assertIn("SquareService squares integers exactly", comments)
            self.assertIn("Square returns the exact square of one integer", comments)

    def test_describe_includes_imports(self):
        for version in VERSIONS:
            files = self.describe(version, "sockrpc.time.v1.NowResponse")
            self.assertIn("sockrpc/time/v1/time_service.proto", files)
            self.assertIn("google/protobuf/timestamp.proto", files)

    def test_describe_health(self):
        for version in VERSIONS:
            files = self.describe(version, "grpc.health.v1.Health")
            self.assertIn("grpc/health/v1/health.proto", files)

    def test_file_by_filename(self):
        for version in VERSIONS:
            response = self.ask(version, file_by_filename="sockrpc/time/v1/time_service.proto")
            self.assertGreaterEqual(
                len(response.file_descriptor_response.file_descriptor_proto), 2)

    def test_unknown_symbol_is_not_found(self):
        for version in VERSIONS:
            response = self.ask(version, file_containing_symbol="no.such.Thing")
            self.assertEqual(response.error_response.error_code, grpc.StatusCode.NOT_FOUND.value[0])
            self.assertIn("no.such.Thing", response.error_response.error_message)


if __name__ == "__main__":
    unittest.main(verbosity=2)
