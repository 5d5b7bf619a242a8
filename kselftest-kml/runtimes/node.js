// SPDX-License-Identifier: GPL-2.0
//
// Node.js in ring 0: timers, promises, a worker thread and a child process.
// Prints one "ok NAME" or "not ok NAME: why" line per check and the ring it
// runs in; scripts/check/runtimes compares the lines with a ring-3 run.
'use strict';
const fs = require('fs');
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');
const { execFileSync, spawn } = require('child_process');

function ring() {
	try {
		for (const l of fs.readFileSync('/proc/self/arch_status', 'utf8').split('\n'))
			if (l.startsWith('KML_ring0:'))
				return l.split(/\s+/)[1] === '1' ? 0 : 3;
	} catch (e) {
	}
	return 3;
}

function check(name, ok, why) {
	console.log(ok ? `ok ${name}` : `not ok ${name}: ${why}`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function timers() {
	const order = [];
	// Node takes each timer's start from the clock when it is made, so the
	// delays are far apart: under TCG on a loaded host 10 ms passed between
	// the first and the last of these lines once, and 30/10/20 ms fired as
	// a, c, b, in time order.
	await Promise.all([
		sleep(300).then(() => order.push('c')),
		sleep(100).then(() => order.push('a')),
		sleep(200).then(() => order.push('b')),
	]);
	let ticks = 0;
	await new Promise((resolve) => {
		const t = setInterval(() => {
			if (++ticks === 5) {
				clearInterval(t);
				resolve();
			}
		}, 2);
	});
	check('timers and promises (setTimeout order, setInterval)',
	      order.join('') === 'abc' && ticks === 5, `${order} ${ticks}`);
	const settled = await Promise.allSettled([Promise.reject(new Error('x')), 7]);
	check('promise rejection handled', settled[0].status === 'rejected' &&
	      settled[1].value === 7, JSON.stringify(settled));
}

function worker() {
	return new Promise((resolve) => {
		const w = new Worker(__filename, { workerData: 1000 });
		w.on('message', (m) => resolve(m));
		w.on('error', (e) => resolve(String(e)));
	}).then((m) => check('worker thread', m === 499500, `${m}`));
}

function child() {
	const out = execFileSync('/bin/echo', ['hello']).toString();
	check('child process (execFileSync /bin/echo)', out === 'hello\n', out);
	return new Promise((resolve) => {
		const c = spawn(process.execPath, ['-e', 'process.exit(7)']);
		c.on('exit', (code) => {
			check('child process of node itself (exit status)', code === 7, `${code}`);
			resolve();
		});
	});
}

async function main() {
	console.log(`ring ${ring()}`);
	await timers();
	await worker();
	await child();
	console.log('done');
}

if (isMainThread) {
	main();
} else {
	let s = 0;
	for (let i = 0; i < workerData; i++)
		s += i;
	parentPort.postMessage(s);
}
