import { isLoopback } from '../../controller/cli/run';

test('/v1 without a token only on addresses no other machine reaches', () => {
  for (const host of ['localhost', '::1', '127.0.0.1', '127.1.2.3']) expect(isLoopback(host)).toBe(true);
  for (const host of ['0.0.0.0', '127.evil.example.com', '127.0.0.1.nip.io', '10.0.0.1', '127.0.0.256', '::'])
    expect(isLoopback(host)).toBe(false);
});
