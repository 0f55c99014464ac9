import { DatePicker } from 'antd';
import dayjs from 'dayjs';

type TProps = {
  value?: string | null;
  onChange?: (value: string | null) => void;
  placeholder?: string;
  picker?: 'date' | 'month';
  id?: string;
};

/** A date picker whose value is an ISO `YYYY-MM-DD` string, as the API speaks. */
export const DateInput = ({ value, onChange, placeholder, picker = 'date', id }: TProps) => (
  <DatePicker
    id={id}
    style={{ width: '100%' }}
    picker={picker}
    value={value ? dayjs(value) : null}
    placeholder={placeholder ?? '选择日期'}
    onChange={(d) => onChange?.(d ? d.format('YYYY-MM-DD') : null)}
  />
);
