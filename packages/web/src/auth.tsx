import type { TPermission } from '@shegong/shared';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo } from 'react';
import { ApiError, api, setCsrfToken, setUnauthenticatedHandler } from './api/client.ts';
import type { TMe } from './api/types.ts';

type TAuth = {
  me: TMe | undefined;
  loading: boolean;
  login: (username: string, password: string) => Promise<TMe>;
  logout: () => Promise<void>;
  can: (permission: TPermission) => boolean;
};

const AuthContext = createContext<TAuth | undefined>(undefined);

const fetchMe = async (): Promise<TMe | null> => {
  try {
    return await api<TMe>('GET', '/api/auth/me');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
};

export const AuthProvider = ({ children }: { children: ReactNode }) => {
  const queryClient = useQueryClient();
  const meQuery = useQuery({ queryKey: ['me'], queryFn: fetchMe, staleTime: 60_000 });
  const me = meQuery.data ?? undefined;
  useEffect(() => {
    setCsrfToken(me?.csrfToken ?? '');
  }, [me]);
  useEffect(() => {
    setUnauthenticatedHandler(() => {
      queryClient.setQueryData(['me'], null);
    });
  }, [queryClient]);
  const login = useCallback(
    async (username: string, password: string) => {
      const result = await api<TMe>('POST', '/api/auth/login', { username, password });
      setCsrfToken(result.csrfToken);
      // Drop what the previous user saw, but keep the 'me' query its observers are bound to.
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
      queryClient.setQueryData(['me'], result);
      return result;
    },
    [queryClient],
  );
  const logout = useCallback(async () => {
    try {
      await api('POST', '/api/auth/logout');
    } finally {
      setCsrfToken('');
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
      queryClient.setQueryData(['me'], null);
    }
  }, [queryClient]);
  const value = useMemo<TAuth>(
    () => ({
      me,
      loading: meQuery.isLoading,
      login,
      logout,
      can: (permission) => me?.permissions.includes(permission) ?? false,
    }),
    [me, meQuery.isLoading, login, logout],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
};

export const useAuth = (): TAuth => {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
};
