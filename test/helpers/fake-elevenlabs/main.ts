// Runs the fake ElevenLabs API on its own, for trying the server and the bundled client without a real key:
//   npx tsx test/helpers/fake-elevenlabs/main.ts   → prints ELEVENLABS_BASE_URL and ELEVENLABS_API_KEY to use.
import { startFakeElevenLabs } from './server.js';

const fake = await startFakeElevenLabs({ apiKey: process.env.FAKE_API_KEY ?? 'fake-key' });
process.stdout.write(`ELEVENLABS_BASE_URL=${fake.url}\nELEVENLABS_API_KEY=${fake.apiKey}\n`);
const stop = () => void fake.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
