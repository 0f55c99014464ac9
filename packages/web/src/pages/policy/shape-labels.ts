// A pack rule's shape is an engine word (`grade-by-years`); the 政策 page names it in Chinese
// and keeps the code in a tooltip for whoever writes packs. The test beside this file fails when
// the pack schema gains a shape without a label here.

export const SHAPE_LABELS: Record<string, string> = {
  'service-years': '工作年限',
  'grade-by-years': '按年限定级',
  'grade-by-promotion': '逐级晋升',
  'grade-by-expr': '公式定级',
  'grade-bump': '等级提高',
  'grade-bump-limits': '提级上限',
  'grade-coefficients': '等级系数',
  probation: '试用期',
  'pay-base': '基本薪酬',
  'pay-performance': '绩效薪酬',
  'pay-allowance': '津贴补贴',
  'pay-floor': '薪酬下限',
  'pay-proration': '按日折算',
  'pay-protection': '薪酬保护',
  'quota-line': '职数标准',
  criterion: '资格条件',
  priority: '优先条件',
  alert: '提醒',
  target: '目标',
  'budget-item': '经费项目',
  'cost-sharing': '经费分担',
  recruitment: '招聘',
  contract: '合同',
  assessment: '考核',
  borrowing: '借调',
  'exit-situations': '退出情形',
  'work-items': '准入事项',
  note: '原则规定',
};

export const shapeText = (shape: string) => SHAPE_LABELS[shape] ?? shape;
