import type { TPolicyRegistry } from '@shegong/policy';

/**
 * The post category a registry title has under a pack on a date (e.g. 网格员 → 其他人员 under
 * Yinchuan's 四岗十八级). Null when the pack does not map the title or there is no pack.
 */
export const postCategoryOf = (
  policies: TPolicyRegistry,
  packId: string | null,
  title: string | null,
  onDate: string,
): string | null => {
  if (!packId || !title || !policies.has(packId)) return null;
  return (
    policies.at(packId, onDate).posts.find((p) => (p.titles as readonly string[]).includes(title))
      ?.category ?? null
  );
};
