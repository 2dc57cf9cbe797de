/** A load client in its own process, so the servers under test keep their event loop: `node load.mjs URL N CONCURRENCY` prints req/s. */
const [url, n, concurrency] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next++ < n) {
      const res = await fetch(url);
      if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
      await res.arrayBuffer();
    }
  }),
);
console.log(n / ((performance.now() - started) / 1000));
