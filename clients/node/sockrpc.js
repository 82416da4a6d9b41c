#!/usr/bin/env node
// Command-line client of the sockrpc gRPC core (rpc_server):
//
//   node sockrpc.js [--target HOST:PORT] [--timeout SECONDS] now [--zone ZONE]
//   node sockrpc.js [--target HOST:PORT] [--timeout SECONDS] square N
//   node sockrpc.js [--target HOST:PORT] stream < numbers
//
// Same verbs, output and exit codes as the Go client (clients/go): 0 on
// success, 1 on a gRPC failure (printed as "error: CODE: message" on stderr),
// 2 on a usage error. The .proto files are loaded at run time from the
// package's proto/ copy, else from ../../proto.
'use strict';

const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

const USAGE = `usage: sockrpc [--target HOST:PORT] [--timeout SECONDS] COMMAND
commands:
  now [--zone ZONE]  the current time: ctime text, RFC 3339 time, time zone
                     (ZONE: an IANA name such as Europe/Paris; default: the
                     server's local zone)
  square N           the exact square of the decimal integer N (any size)
  stream             squares every number read from stdin (one per line) on
                     one SquareStream, printing each square as it arrives
flags (anywhere on the line):
  --target HOST:PORT the server (default localhost:50051)
  --timeout SECONDS  deadline of a now or square call (default 10)
  --tls_ca FILE      PEM CA bundle: use TLS and verify the server with it
  --tls_cert FILE    PEM client certificate (mutual TLS), with --tls_key
  --tls_key FILE     PEM private key of --tls_cert
  -h, --help         this help
exit status: 0 ok, 1 gRPC failure ("error: CODE: message") or an unreadable
TLS file, 2 usage error
`;

const DEFAULT_TARGET = 'localhost:50051';

// A decimal integer as the server accepts it: an optional sign, then ASCII
// digits.
const INTEGER = /^[+-]?[0-9]+$/;
const SECONDS = /^[0-9]+(\.[0-9]+)?$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
// Numbers a stream may have unanswered before the client stops sending.
const WINDOW = 256;

class UsageError extends Error {}

// A gRPC target URI with a scheme that needs no port check here (the resolver
// reports its own errors).
const TARGET_SCHEME = /^(dns|unix|unix-abstract|ipv4|ipv6|passthrough|xds):/;
const HOST_PORT = /^(\[[^\]]+\]|[^:\[\]]+):([0-9]{1,5})$/;

// HOST:PORT, [IPV6]:PORT or a URI with a known scheme: any other target is a
// usage error, not a failed call.
function checkTarget(target) {
  if (target === '') throw new UsageError('--target must not be empty');
  if (TARGET_SCHEME.test(target)) return;
  const match = HOST_PORT.exec(target);
  const port = match ? Number(match[2]) : 0;
  if (!(port >= 1 && port <= 65535)) {
    throw new UsageError(`--target ${JSON.stringify(target)}: expected HOST:PORT (port 1..65535), ` +
                         '[IPV6]:PORT or a gRPC URI such as dns:///HOST:PORT');
  }
}

// Flags go anywhere on the command line ("--name value" or "--name=value";
// "--" ends the flags). A negative number such as -3 is an argument, not a
// flag.
function parseArgs(args) {
  const opts = {target: DEFAULT_TARGET, timeoutSeconds: 10, command: '', zone: '',
                zoneSet: false, number: '', help: false,
                tls: {ca: '', cert: '', key: ''}};
  let positional = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-' || INTEGER.test(arg)) {
      positional.push(arg);
      continue;
    }
    if (arg === '-h' || arg === '--help') {
      opts.help = true;
      return opts;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    let value = eq < 0 ? undefined : arg.slice(eq + 1);
    if (!['--target', '--timeout', '--zone', '--tls_ca', '--tls_cert', '--tls_key'].includes(name)) {
      throw new UsageError(`unknown flag ${JSON.stringify(name)}`);
    }
    if (value === undefined) {
      if (i + 1 >= args.length) throw new UsageError(`flag ${name} needs a value`);
      value = args[++i];
    }
    if (name === '--target') {
      checkTarget(value);
      opts.target = value;
    } else if (name === '--timeout') {
      const seconds = Number(value);
      if (!SECONDS.test(value) || !(seconds > 0) || seconds > 1e6) {
        throw new UsageError('--timeout must be a number of seconds (0 < SECONDS <= 1000000), ' +
                             `got ${JSON.stringify(value)}`);
      }
      opts.timeoutSeconds = seconds;
    } else if (name.startsWith('--tls_')) {
      opts.tls[name.slice('--tls_'.length)] = value;
    } else {
      opts.zone = value;
      opts.zoneSet = true;
    }
  }

  if ((opts.tls.cert === '') !== (opts.tls.key === '')) {
    throw new UsageError('--tls_cert and --tls_key go together');
  }
  if (positional.length === 0) throw new UsageError('no command');
  opts.command = positional[0];
  positional = positional.slice(1);
  switch (opts.command) {
    case 'now':
      if (positional.length !== 0) {
        throw new UsageError(`now takes no arguments, got ${JSON.stringify(positional[0])}`);
      }
      break;
    case 'square':
      if (positional.length !== 1) throw new UsageError('square takes exactly one number N');
      opts.number = positional[0];
      if (!INTEGER.test(opts.number)) {
        throw new UsageError('square: N must be a decimal integer (optional sign, then digits), ' +
                             `got ${JSON.stringify(opts.number)}`);
      }
      break;
    case 'stream':
      if (positional.length !== 0) {
        throw new UsageError('stream takes no arguments (it reads numbers from stdin), ' +
                             `got ${JSON.stringify(positional[0])}`);
      }
      break;
    default:
      throw new UsageError(`unknown command ${JSON.stringify(opts.command)}`);
  }
  if (opts.zoneSet && opts.command !== 'now') throw new UsageError('--zone goes with now only');
  return opts;
}

// The proto files: the copy inside the package (proto/, made by `npm pack`'s
// prepack script), else the project's proto/ folder when run from the
// repository. google/protobuf/timestamp.proto comes from the copy bundled in
// protobufjs (it takes precedence over includeDirs); Debian's /usr/include
// (libprotobuf-dev) is listed as well, as protoc would see it.
function loadServices() {
  const packaged = path.join(__dirname, 'proto');
  const protoRoot = fs.existsSync(packaged) ? packaged : path.resolve(__dirname, '..', '..', 'proto');
  const includeDirs = [protoRoot];
  if (fs.existsSync('/usr/include/google/protobuf/timestamp.proto')) includeDirs.push('/usr/include');
  const definition = protoLoader.loadSync(
      ['sockrpc/time/v1/time_service.proto', 'sockrpc/square/v1/square_service.proto'], {
        keepCase: true,   // field names as in the .proto: time_zone
        longs: String,    // int64/uint64 as decimal strings, never rounded
        enums: String,
        defaults: true,   // absent scalar fields as their default ('' and 0)
        oneofs: true,     // the oneof's name holds the name of the field that is set
        includeDirs,
      });
  const loaded = grpc.loadPackageDefinition(definition);
  return {
    TimeService: loaded.sockrpc.time.v1.TimeService,
    SquareService: loaded.sockrpc.square.v1.SquareService,
  };
}

// Prints a gRPC failure as "error: CODE: message"; CODE is the canonical
// name (grpc.status maps numbers back to names).
function failure(err) {
  const name = grpc.status[err.code] !== undefined ? grpc.status[err.code] : `CODE(${err.code})`;
  process.stderr.write(`error: ${name}: ${err.details !== undefined ? err.details : err.message}\n`);
  return EXIT_FAILURE;
}

// The decimal text of an integer (already matched by INTEGER) that fits an
// int64, or null.
function int64Value(text) {
  if (!INTEGER.test(text)) return null;
  const value = BigInt(text);
  return value >= INT64_MIN && value <= INT64_MAX ? value.toString() : null;
}

// A Timestamp as the protobuf JSON mapping formats it: UTC, "Z", and 0, 3, 6
// or 9 fractional digits.
function formatRFC3339(seconds, nanos) {
  let text = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  if (nanos === 0) {
    // no fraction
  } else if (nanos % 1000000 === 0) {
    text += '.' + String(nanos / 1000000).padStart(3, '0');
  } else if (nanos % 1000 === 0) {
    text += '.' + String(nanos / 1000).padStart(6, '0');
  } else {
    text += '.' + String(nanos).padStart(9, '0');
  }
  return text + 'Z';
}

function deadline(opts) {
  return {deadline: new Date(Date.now() + opts.timeoutSeconds * 1000)};
}

function now(services, credentials, opts) {
  return new Promise((resolve) => {
    const client = new services.TimeService(opts.target, credentials);
    client.Now({time_zone: opts.zone}, deadline(opts), (err, resp) => {
      client.close();
      if (err) return resolve(failure(err));
      if (!resp.time) {
        process.stderr.write('error: the response has no time\n');
        return resolve(EXIT_FAILURE);
      }
      process.stdout.write(`${resp.ctime}\n${formatRFC3339(resp.time.seconds, resp.time.nanos)}\n` +
                           `${resp.time_zone}\n`);
      resolve(EXIT_OK);
    });
  });
}

function square(services, credentials, opts) {
  return new Promise((resolve) => {
    const value = int64Value(opts.number);
    const req = value !== null ? {value} : {decimal: opts.number};
    const client = new services.SquareService(opts.target, credentials);
    client.Square(req, deadline(opts), (err, resp) => {
      client.close();
      if (err) return resolve(failure(err));
      process.stdout.write(`${resp.square}\n`);
      resolve(EXIT_OK);
    });
  });
}

// Sends every non-blank line of stdin on one SquareStream (sequence numbers
// 1, 2, ...) while it prints each answer as it arrives. Half-closes at the end
// of stdin; done once the server has ended the stream.
function stream(services, credentials, opts) {
  return new Promise((resolve) => {
    const client = new services.SquareService(opts.target, credentials);
    const call = client.SquareStream();
    const stdin = process.stdin;
    let sent = 0;
    let received = 0;
    let stdinDone = false;
    let stdinError = null;
    let finished = false;
    let status = null;
    let ended = false;
    let pending = '';

    function finish(code) {
      if (finished) return;
      finished = true;
      stdin.pause();
      stdin.removeAllListeners('data');
      call.cancel();
      client.close();
      resolve(code);
    }

    function sendLine(line) {
      const text = line.replace(/^[ \t\r\n\v\f]+|[ \t\r\n\v\f]+$/g, '');
      if (text === '' || finished || status) return true;
      const value = int64Value(text);
      sent++;
      // Not an int64: sent as a decimal string, which the server squares or,
      // when malformed, rejects (ending the stream).
      const req = value !== null ? {sequence: String(sent), value} : {sequence: String(sent), decimal: text};
      return call.write(req);
    }

    // Lines end at "\n" only, as in the Go client. Read lines wait in
    // `queue` (stdin paused) while WINDOW numbers are unanswered or the call
    // does not take more (write() returned false, until 'drain'): grpc-js
    // would otherwise buffer the whole input, and slows down badly doing so.
    let queue = [];
    let head = 0;
    let draining = false;
    function pump() {
      while (head < queue.length && !finished && !status) {
        if (sent - received >= WINDOW) return; // resumed by 'data'
        const more = sendLine(queue[head++]);
        if (!more) {
          draining = true;
          call.once('drain', () => { draining = false; pump(); });
          return;
        }
      }
      queue = [];
      head = 0;
      if (finished || status) return;
      if (stdinDone) {
        call.end();
      } else {
        stdin.resume();
      }
    }
    stdin.setEncoding('utf8');
    stdin.on('data', (chunk) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop();
      for (const line of lines) queue.push(line);
      stdin.pause();
      if (!draining) pump();
    });
    stdin.on('end', () => {
      queue.push(pending);
      pending = '';
      stdinDone = true;
      if (!draining) pump();
    });
    stdin.on('error', (err) => {
      stdinError = err;
      process.stderr.write(`error: reading stdin: ${err.message}\n`);
      finish(EXIT_FAILURE);
    });

    call.on('data', (resp) => {
      if (finished) return;
      received++;
      if (resp.sequence !== String(received)) {
        process.stderr.write(`error: answer ${received} has sequence ${resp.sequence}\n`);
        return finish(EXIT_FAILURE);
      }
      process.stdout.write(`${resp.square}\n`);
      if (!draining && head < queue.length) pump();
    });
    // The status comes with 'error' (not OK) and 'status'; it is acted on at
    // 'end', once every answer received before it has been printed.
    call.on('error', () => {});
    call.on('status', (s) => {
      status = s;
      if (ended) settle();
    });
    call.on('end', () => {
      ended = true;
      if (status) settle();
    });

    function settle() {
      if (finished) return;
      if (status.code !== grpc.status.OK) return finish(failure(status));
      if (!stdinDone) {
        process.stderr.write('error: the server ended the stream before the end of the input\n');
        return finish(EXIT_FAILURE);
      }
      if (received !== sent) {
        process.stderr.write(`error: ${received} answers to ${sent} numbers\n`);
        return finish(EXIT_FAILURE);
      }
      finish(stdinError ? EXIT_FAILURE : EXIT_OK);
    }
  });
}

// The C++ client's TLS flags: --tls_ca alone is TLS verifying the server
// with that CA; --tls_cert and --tls_key add a client certificate (mutual
// TLS); none of them is plaintext. An unreadable file names its flag.
function channelCredentials(tls) {
  if (!tls.ca && !tls.cert && !tls.key) return grpc.credentials.createInsecure();
  const read = (flag, file) => {
    if (!file) return null;
    try {
      return fs.readFileSync(file);
    } catch (err) {
      throw new Error(`cannot read ${flag} file ${file}: ${err.message}`);
    }
  };
  return grpc.credentials.createSsl(read('--tls_ca', tls.ca), read('--tls_key', tls.key),
                                    read('--tls_cert', tls.cert));
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`sockrpc: ${err.message}\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (opts.help) {
    process.stdout.write(USAGE);
    return EXIT_OK;
  }
  let credentials;
  try {
    credentials = channelCredentials(opts.tls);
  } catch (err) {
    process.stderr.write(`sockrpc: ${err.message}\n`);
    return EXIT_FAILURE;
  }
  const services = loadServices();
  switch (opts.command) {
    case 'now': return now(services, credentials, opts);
    case 'square': return square(services, credentials, opts);
    default: return stream(services, credentials, opts);
  }
}

main().then((code) => {
  // Exit once stdout has taken everything (stdin may still be open).
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
}, (err) => {
  process.stderr.write(`sockrpc: ${err && err.stack ? err.stack : err}\n`);
  process.exit(EXIT_FAILURE);
});
