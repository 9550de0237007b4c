// Saves states with a growing configVersion forever and prints each version once its save resolved:
// the child of file-store.node.test.ts, killed with SIGKILL mid-stream.
import { fileStore } from '../file-store.ts';

const store = fileStore(process.argv[2]!);
const auth = { id: 'pub-1', accessKey: 'a'.repeat(43), hubUrl: 'http://hub.example' };
for (let version = 1; ; version++) {
  await store.save({ auth, configVersion: version, inProgress: { id: `${version}.1`, name: 'm:reboot' } });
  process.stdout.write(`${version}\n`);
}
