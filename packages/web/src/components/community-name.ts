/**
 * A community with its street (凤凰北街街道 / 丽景社区), as lists and pickers name it: community
 * names repeat across streets (a city has several 幸福社区).
 */
export const communityWithStreet = (r: {
  communityName: string;
  streetName?: string | null;
}): string => (r.streetName ? `${r.streetName} / ${r.communityName}` : r.communityName);
