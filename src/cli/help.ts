import { readFileSync } from 'node:fs';

export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export const HELP: Record<string, string> = {
  main: `modstream ${VERSION} — real-time chat moderation

Usage: modstream <command> [options]

Commands:
  check     judge JSON Lines messages (stdin or --input) and print one verdict line per input line
  run       run the processor: embedded HTTP API (default), --stdin, or Kafka mode when KAFKA_BROKERS is set
  produce   send a JSONL file or generated messages into Kafka at a set rate
  adapter   'adapter onebot': receive OneBot v11 (QQ) events, publish messages and member events
  enforce   'enforce onebot': act on verdicts through the OneBot v11 HTTP API
  version   print the version

Run 'modstream <command> --help' for a command's options. Docs: README.md.
`,
  check: `Usage: modstream check [options] < messages.jsonl > verdicts.jsonl

Reads message v1 JSON Lines and writes exactly one JSON line per input line, in order: a verdict, or
{"error":{"code","message"},"line":N} for a bad line. A summary goes to stderr. The full policy applies
across the input in order (a user's third offence gets the third step).

Options:
  -i, --input FILE       read from FILE instead of stdin
  -o, --output FILE      write to FILE instead of stdout
      --text             each line is the raw text of a message (lines are judged independently)
      --lexicon DIR      lexicon directory (repeatable); replaces the built-in lexicons
      --allow FILE       extra allow-list phrases (repeatable)
      --policy FILE      policy YAML (default: the built-in policy)
      --classifier [DIR] use the local classifier (the shipped model, or DIR)
      --strict           exit 1 when any line was bad
      --config FILE      configuration YAML
      --log-level LEVEL  default warn
`,
  run: `Usage: modstream run [options]

Embedded mode (no Kafka configured): HTTP API on --host:--port
  POST /v1/messages   one message, a JSON array or NDJSON → verdicts
  GET  /v1/verdicts   Server-Sent Events stream of every verdict
  GET  /healthz /readyz /metrics
Kafka mode (KAFKA_BROKERS=host:port,… or kafka.brokers): consume modstream.messages, produce
modstream.verdicts and modstream.dlq; Redis state when REDIS_URL is set; /metrics on --metrics-port.

Options:
  -p, --port N           HTTP port (default 8080)
      --host HOST        HTTP bind address (default 127.0.0.1)
      --stdin            read NDJSON messages on stdin, write verdicts to stdout
      --errors FILE      with --stdin: error records to FILE instead of stderr
      --metrics-port N   Kafka mode ops port (default 9464)
      --lexicon DIR      lexicon directory (repeatable)
      --allow FILE       extra allow-list phrases (repeatable)
      --policy FILE      policy YAML
      --classifier [DIR] use the local classifier
      --config FILE      configuration YAML (see docs/configuration.md)
      --log-level LEVEL  trace|debug|info|warn|error|fatal|silent
Signals: SIGHUP reloads lexicons and policy; SIGINT/SIGTERM shut down gracefully.
`,
  produce: `Usage: modstream produce (--input FILE | --generate N) [options]

Options:
      --brokers LIST     host:port,… (default: KAFKA_BROKERS / kafka.brokers)
      --topic NAME       default kafka.topics.messages (modstream.messages)
  -i, --input FILE       JSONL file; lines are sent as they are (bad ones too)
      --generate N       generate N mixed Chinese/English messages (about 10% violations)
      --rate N           messages per second (default 0 = as fast as acknowledged)
      --seed N --groups N --users N   generator settings
      --config FILE      configuration YAML
`,
};
