// Tests never read the developer's environment: each builds its config explicitly.
process.env.NODE_ENV = 'test'
