import { Kafka, logLevel } from 'kafkajs';
const k = new Kafka({ clientId: 'probe', brokers: ['127.0.0.1:9092'], logLevel: logLevel.NOTHING });
const admin = k.admin(); await admin.connect();
const t = 'ms-commit-probe-' + Date.now();
await admin.createTopics({ waitForLeaders: true, topics: [{ topic: t, numPartitions: 1 }] });
const p = k.producer(); await p.connect();
const times: number[] = []; const ptimes: number[] = [];
for (let i = 0; i < 60; i++) { const t0 = performance.now(); await p.send({ topic: t, acks: -1, messages: [{ value: 'x' }] }); ptimes.push(performance.now() - t0); }
for (let i = 0; i < 60; i++) { const t0 = performance.now(); await admin.setOffsets({ groupId: t + '.g', topic: t, partitions: [{ partition: 0, offset: String(i) }] }); times.push(performance.now() - t0); }
const med = (x: number[]) => x.sort((a, b) => a - b)[Math.floor(x.length / 2)];
console.log('produce acks=all median ms', med(ptimes).toFixed(1), 'offset commit (admin setOffsets) median ms', med(times).toFixed(1));
await p.disconnect(); await admin.deleteGroups([t + '.g']).catch(() => {}); await admin.deleteTopics({ topics: [t] }); await admin.disconnect();
