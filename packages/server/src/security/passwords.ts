import crypto from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

// argon2id with OWASP's minimum (m=19 MiB, t=2, p=1): @node-rs/argon2's defaults, PHC format.
const OPTIONS = { algorithm: 2 as const, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export const hashPassword = (password: string): Promise<string> => hash(password, OPTIONS);

export const verifyPassword = async (phc: string, password: string): Promise<boolean> => {
  try {
    return await verify(phc, password);
  } catch {
    return false;
  }
};

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** A random password with upper, lower and digits (for generated accounts). */
export const generatePassword = (length = 16): string => {
  for (;;) {
    const bytes = crypto.randomBytes(length);
    const value = Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join('');
    if (/[A-Z]/.test(value) && /[a-z]/.test(value) && /\d/.test(value)) return value;
  }
};

/**
 * Password complexity (GB/T 22239-2019 8.1.4.1 a): at least 10 characters with three of upper,
 * lower, digit, symbol, at most 256, and not containing the user name.
 */
export const passwordProblem = (password: string, username?: string): string | undefined => {
  if (password.length < 10) return '密码长度至少10位';
  if (password.length > 256) return '密码长度不能超过256位';
  const classes = [/[A-Z]/, /[a-z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 3) return '密码须包含大写字母、小写字母、数字、符号中的至少三类';
  if (username && username.length >= 3 && password.toLowerCase().includes(username.toLowerCase())) {
    return '密码不能包含用户名';
  }
  return undefined;
};

/**
 * Whether the user must choose a new password before doing anything else: after a reset
 * (temporary password) or when the password is older than PASSWORD_MAX_AGE_DAYS (0: never).
 */
export const passwordChangeRequired = (
  user: { mustChangePassword: boolean; passwordChangedAt: string },
  maxAgeDays: number,
  now: number = Date.now(),
): boolean =>
  user.mustChangePassword ||
  (maxAgeDays > 0 && new Date(user.passwordChangedAt).getTime() + maxAgeDays * 86_400_000 <= now);

export const randomToken = (): string => crypto.randomBytes(32).toString('base64url');

export const sha256Hex = (value: string): string =>
  crypto.createHash('sha256').update(value).digest('hex');
