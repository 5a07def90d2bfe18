// Tests never read the developer's environment: each builds its config explicitly.
process.env.NODE_ENV = 'test'

// Sign-ins and new users hash with argon2's smallest parameters: the production cost (64 MiB, 3 passes) on every
// sign-in of the suite took minutes. passwords.test.ts checks the production parameters.
const { useTestPasswordHashing } = await import('../../src/modules/auth/passwords.js')
useTestPasswordHashing()
