/** The API key from SecretStorage reaches the sidecar in its environment only, never in initializationOptions. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { machineLaunch } from '../../../src/client/machineLaunch';
import { API_KEY_ENV } from '../../../src/shared/protocol';

describe('machineLaunch', () => {
  it('puts the key in the environment and only the endpoint and bundles in the options', () => {
    const key = 'sk-secret-123';
    const launch = machineLaunch({ options: { embeddingsUrl: 'https://gpu.example/v1/embeddings', bundles: ['/b.t5bundle'], apiKey: key } as never, apiKey: key });
    assert.deepEqual(launch.env, { [API_KEY_ENV]: key });
    assert.deepEqual(launch.options, { embeddingsUrl: 'https://gpu.example/v1/embeddings', bundles: ['/b.t5bundle'] });
    assert.ok(!JSON.stringify(launch.options).includes(key), 'no stray field carries the key into the message');
  });

  it('sets no environment variable without a key', () => {
    assert.equal(machineLaunch({ options: {} }).env, undefined);
    assert.deepEqual(machineLaunch(undefined), { env: undefined, options: {} });
  });
});
