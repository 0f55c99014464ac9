import { describe, expect, it } from 'vitest';
import { currentPost } from './archive.ts';

const post = (startOn: string, endOn: string | null, title: string) => ({
  kind: 'post',
  startOn,
  endOn,
  title,
});

describe('currentPost', () => {
  const items = [
    post('2015-03-01', '2021-01-10', '网格员'),
    post('2021-01-10', null, '委员'),
    { kind: 'assessment', startOn: '2022-12-31', endOn: null, title: '' },
  ];

  it('is the post item open on the date', () => {
    expect(currentPost(items, '2020-06-01')?.title).toBe('网格员');
    expect(currentPost(items, '2025-06-01')?.title).toBe('委员');
  });

  it('switches on the day the new post starts (the old one ends that day)', () => {
    expect(currentPost(items, '2021-01-09')?.title).toBe('网格员');
    expect(currentPost(items, '2021-01-10')?.title).toBe('委员');
  });

  it('is none before the first post and after an exit', () => {
    expect(currentPost(items, '2010-01-01')).toBeUndefined();
    expect(currentPost([post('2015-03-01', '2020-01-01', '委员')], '2020-01-01')).toBeUndefined();
  });
});
