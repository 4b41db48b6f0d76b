import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    env: { TZ: 'UTC' },
    // s3rver (the local S3 server of the publish tests) makes list continuation tokens with DES, which Node 20's
    // OpenSSL 3 keeps in its legacy provider: without it, any listing of more than 1,000 objects fails.
    poolOptions: { forks: { execArgv: ['--openssl-legacy-provider'] } },
  },
});
